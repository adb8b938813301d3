// The declarative command spec both binaries use: path, options, groups; help and parsing derive from it.

export interface PossibleValue {
  value: string;
  help?: string;
}

export interface OptionSpec {
  /** Long name without dashes, e.g. 'username'. */
  long: string;
  /** Optional one-letter alias without the dash, e.g. 'o' for `-o`. */
  short?: string;
  /** Value placeholder, e.g. 'USERNAME'; absent for a boolean flag. */
  value?: string;
  help: string;
  required?: boolean;
  possible?: readonly PossibleValue[];
  /** May be given several times (values collected in order). */
  multiple?: boolean;
  /** A LocalHSM addition that the real cloudhsm-cli does not have; marked as such in help. */
  extension?: boolean;
}

export interface PositionalSpec {
  name: string;
  help: string;
  required?: boolean;
  multiple?: boolean;
}

export interface CommandSpec<Ctx, Out> {
  path: readonly string[];
  about: string;
  options: readonly OptionSpec[];
  positionals?: readonly PositionalSpec[];
  /** Groups of option names of which exactly one must be given (clap's required ArgGroup). */
  exactlyOne?: readonly (readonly string[])[];
  /** Pairs of options that cannot be used together. */
  conflicts?: readonly (readonly [string, string])[];
  /** Pairs [a, b]: when --a is given, --b must be given too (clap's `requires`). */
  requires?: readonly (readonly [string, string])[];
  /** The whole command is a LocalHSM addition. */
  extension?: boolean;
  /** Usage line when the generated one would mislead (a subcommand that follows its parent's options). */
  usage?: string;
  examples?: readonly string[];
  run(options: ParsedOptions, ctx: Ctx): Promise<Out>;
}

export type AnyCommand<Ctx, Out> = CommandSpec<Ctx, Out>;

/** Parsed argv of one command: typed getters over the raw values. */
export class ParsedOptions {
  constructor(
    private readonly values: ReadonlyMap<string, string | true | string[]>,
    readonly positionals: readonly string[] = [],
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined || v === true) return undefined;
    return Array.isArray(v) ? v[v.length - 1] : v;
  }
  required(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw new Error(`option --${name} missing after parsing`);
    return v;
  }
  flag(name: string): boolean {
    return this.values.get(name) === true;
  }
  list(name: string): string[] {
    const v = this.values.get(name);
    return v === undefined || v === true ? [] : Array.isArray(v) ? v : [v];
  }
}
