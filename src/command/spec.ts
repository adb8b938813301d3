// The declarative command spec both binaries use: path, options, groups; help and parsing derive from it.

export interface PossibleValue {
  value: string;
  help?: string;
}

/** `true` / `false`, for an optional-value flag. */
export const BOOLEAN_VALUES: readonly PossibleValue[] = [{ value: 'true' }, { value: 'false' }];

export interface OptionSpec<Name extends string = string> {
  /** Long name without dashes, e.g. 'username'. */
  long: Name;
  /** Optional one-letter alias without the dash, e.g. 'o' for `-o`. */
  short?: string;
  /** Value placeholder, e.g. 'USERNAME'; absent for a boolean flag. */
  value?: string;
  help: string;
  required?: boolean;
  possible?: readonly PossibleValue[];
  /** May be given several times (values collected in order). */
  multiple?: boolean;
  /**
   * Takes one or more words, up to the next option (clap's `num_args = 1..`, shown `--filter [<FILTER>...]`);
   * read with `list()`.
   */
  words?: boolean;
  /** A LocalHSM addition that the real cloudhsm-cli does not have; marked as such in help. */
  extension?: boolean;
  /**
   * The value may be left out: `--flag` alone reads as `true`; `--flag <VALUE>` takes the next word only
   * when it is one of `possible` (so `--flag true|false` and the bare flag are both accepted).
   */
  optionalValue?: boolean;
  /** Other long names accepted on input and never shown in help (spellings of older or other pages). */
  aliases?: readonly string[];
  /** What the value completes to when neither `possible`, the placeholder nor the help says (see complete.ts). */
  valueHint?: 'path' | 'dir' | 'text';
}

export interface PositionalSpec {
  name: string;
  help: string;
  required?: boolean;
  multiple?: boolean;
}

/**
 * One command. `Name` is the union of its options' long names (inferred by defineCommand), so that `run`
 * can only ask for an option the spec declares, and the groups below can only name declared options.
 */
export interface CommandSpec<Ctx, Out, Name extends string = string> {
  path: readonly string[];
  about: string;
  options: readonly OptionSpec<Name>[];
  positionals?: readonly PositionalSpec[];
  /** Groups of option names of which exactly one must be given (clap's required ArgGroup). */
  exactlyOne?: readonly (readonly NoInfer<Name>[])[];
  /** Pairs of options that cannot be used together. */
  conflicts?: readonly (readonly [NoInfer<Name>, NoInfer<Name>])[];
  /** Pairs [a, b]: when --a is given, --b must be given too (clap's `requires`). */
  requires?: readonly (readonly [NoInfer<Name>, NoInfer<Name>])[];
  /** The whole command is a LocalHSM addition. */
  extension?: boolean;
  /** Other names for the last word of `path`, accepted on input and never shown in help or completion. */
  aliases?: readonly string[];
  /** Accepts `-V, --version` (where the documented help lists it): prints the tree's version. */
  version?: boolean;
  /** Usage line when the generated one would mislead (a subcommand that follows its parent's options). */
  usage?: string;
  examples?: readonly string[];
  run(options: ParsedOptions<Name>, ctx: Ctx): Promise<Out>;
}

export type AnyCommand<Ctx, Out> = CommandSpec<Ctx, Out>;

/**
 * A command spec with its option names kept as literal types: `run(options)` then accepts
 * `options.required('username')` only when the spec declares `--username`.
 */
export function defineCommand<Ctx, Out, const Name extends string>(
  spec: CommandSpec<Ctx, Out, Name>,
): CommandSpec<Ctx, Out, Name> {
  return spec;
}

/**
 * Parsed argv of one command: typed getters over the raw values. `Name` is contravariant: options
 * parsed for a command that declares more names can be handed to a helper that reads fewer.
 */
export class ParsedOptions<in Name extends string = string> {
  constructor(
    private readonly values: ReadonlyMap<string, string | true | string[]>,
    readonly positionals: readonly string[] = [],
  ) {}

  has(name: Name): boolean {
    return this.values.has(name);
  }
  string(name: Name): string | undefined {
    const v = this.values.get(name);
    if (v === undefined || v === true) return undefined;
    return Array.isArray(v) ? v[v.length - 1] : v;
  }
  required(name: Name): string {
    const v = this.string(name);
    if (v === undefined) throw new Error(`option --${name} missing after parsing`);
    return v;
  }
  /** A flag given bare, or an optional-value flag given `true`. */
  flag(name: Name): boolean {
    const v = this.values.get(name);
    return v === true || v === 'true';
  }
  list(name: Name): string[] {
    const v = this.values.get(name);
    return v === undefined || v === true ? [] : Array.isArray(v) ? v : [v];
  }
}
