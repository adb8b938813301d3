// argv -> ParsedOptions for one command spec: pure, with clap-style usage errors.
import type { Writable } from 'node:stream';
import { ParsedOptions, type CommandSpec, type OptionSpec } from './spec.js';
import { usageLine } from './help.js';
import { similar, tipLine } from './suggest.js';

/** A command-line mistake: printed to stderr with the usage line; exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Asked for help instead of running: the text to print. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** Asked for the version (`-V`, `--version`) of a command whose documented help offers it. */
export class VersionRequested extends HelpRequested {}

export function optionLabel(o: OptionSpec): string {
  if (o.value && o.words) return `--${o.long} [<${o.value}>...]`;
  return o.value ? `--${o.long} <${o.value}>` : `--${o.long}`;
}

function usageError(
  spec: CommandSpec<unknown, unknown>,
  first: string,
  prefix: readonly string[],
): UsageError {
  return new UsageError(
    `error: ${first}\n\n${usageLine(spec, prefix)}\n\nFor more information, try '--help'.`,
  );
}

/** The options of `spec` in `argv`, typed by the spec's option names. */
export function parseCommandArgs<Name extends string>(
  spec: CommandSpec<unknown, unknown, Name>,
  argv: readonly string[],
  helpText: () => string,
  prefix: readonly string[] = [],
  versionText = '',
): ParsedOptions<Name> {
  const byName = new Map<string, OptionSpec>(
    spec.options.flatMap((o) => [o.long, ...(o.aliases ?? [])].map((n) => [n, o] as const)),
  );
  const byShort = new Map(spec.options.flatMap((o) => (o.short ? [[o.short, o] as const] : [])));
  const values = new Map<string, string | true | string[]>();
  const positionals: string[] = [];
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!onlyPositionals && (arg === '-h' || arg === '--help')) throw new HelpRequested(helpText());
    if (!onlyPositionals && spec.version && (arg === '-V' || arg === '--version'))
      throw new VersionRequested(versionText);
    if (!onlyPositionals && arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    // A one-letter alias (`-o OUT`) stands for its long option.
    const short = !arg.startsWith('--') && eq === -1 ? byShort.get(arg.slice(1)) : undefined;
    const given = short?.long ?? (arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : '');
    const option = byName.get(given);
    if (!option) {
      // As clap does, only the nearest long option is suggested (hidden aliases never are).
      const longs = [...spec.options.map((o) => o.long), 'help', ...(spec.version ? ['version'] : [])];
      const near = arg.startsWith('--') ? similar(given, longs).slice(0, 1) : [];
      throw usageError(
        spec,
        `unexpected argument '${eq === -1 ? arg : arg.slice(0, eq)}' found` +
          tipLine(
            'argument',
            near.map((n) => `--${n}`),
          ),
        prefix,
      );
    }
    // An alias is stored (and reported) under the option's own name.
    const name = option.long;
    if (!option.value) {
      if (eq !== -1)
        throw usageError(spec, `unexpected value for '--${name}' found; no more were expected`, prefix);
      if (values.has(name))
        throw usageError(spec, `the argument '--${name}' cannot be used multiple times`, prefix);
      values.set(name, true);
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (option.optionalValue && !option.possible?.some((p) => p.value === argv[i + 1])) {
      if (values.has(name))
        throw usageError(spec, `the argument '${optionLabel(option)}' cannot be used multiple times`, prefix);
      values.set(name, true);
      continue;
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw usageError(
          spec,
          `a value is required for '${optionLabel(option)}' but none was supplied`,
          prefix,
        );
      }
      value = next;
      i++;
    }
    if (option.possible && !option.possible.some((p) => p.value === value)) {
      const list = option.possible.map((p) => p.value).join(', ');
      throw usageError(
        spec,
        `invalid value '${value}' for '${optionLabel(option)}'\n  [possible values: ${list}]` +
          tipLine(
            'value',
            similar(
              value,
              option.possible.map((p) => p.value),
            ).slice(0, 1),
          ),
        prefix,
      );
    }
    const previous = values.get(name);
    if (option.words) {
      // Every following word up to the next option belongs to this one.
      const words = [value];
      while (i + 1 < argv.length && !(argv[i + 1]!.startsWith('-') && argv[i + 1]!.length > 1))
        words.push(argv[++i]!);
      values.set(name, [...((previous as string[] | undefined) ?? []), ...words]);
      continue;
    }
    if (previous !== undefined && !option.multiple) {
      throw usageError(spec, `the argument '${optionLabel(option)}' cannot be used multiple times`, prefix);
    }
    values.set(name, option.multiple ? [...((previous as string[] | undefined) ?? []), value] : value);
  }

  const declared = spec.positionals ?? [];
  const maxPositionals = declared.some((p) => p.multiple) ? Infinity : declared.length;
  if (positionals.length > maxPositionals) {
    throw usageError(spec, `unexpected argument '${positionals[maxPositionals]}' found`, prefix);
  }
  const missing = spec.options.filter((o) => o.required && !values.has(o.long)).map(optionLabel);
  declared.forEach((p, index) => {
    if (p.required && positionals.length <= index) missing.push(`<${p.name}>`);
  });
  for (const group of spec.exactlyOne ?? []) {
    const given = group.filter((n) => values.has(n));
    if (given.length === 0) missing.push(`<${group.map((n) => optionLabel(byName.get(n)!)).join('|')}>`);
    if (given.length > 1) {
      throw usageError(spec, `the argument '--${given[0]}' cannot be used with '--${given[1]}'`, prefix);
    }
  }
  if (missing.length > 0) {
    throw usageError(
      spec,
      `the following required arguments were not provided:\n  ${missing.join('\n  ')}`,
      prefix,
    );
  }
  for (const [a, b] of spec.conflicts ?? []) {
    if (values.has(a) && values.has(b))
      throw usageError(spec, `the argument '--${a}' cannot be used with '--${b}'`, prefix);
  }
  const required = (spec.requires ?? [])
    .filter(([a, b]) => values.has(a) && !values.has(b))
    .map(([, b]) => b);
  if (required.length > 0) {
    const labels = [...new Set(required)].map((n) => optionLabel(byName.get(n)!));
    throw usageError(
      spec,
      `the following required arguments were not provided:\n  ${labels.join('\n  ')}`,
      prefix,
    );
  }
  return new ParsedOptions(values, positionals);
}

/** Prints requested help (stdout, exit 0) or a usage error (stderr, exit 2); undefined for any other error. */
export function reportParseOutcome(error: unknown, stdout: Writable, stderr: Writable): 0 | 2 | undefined {
  if (error instanceof HelpRequested) {
    stdout.write(error.text + '\n');
    return 0;
  }
  if (error instanceof UsageError) {
    stderr.write(error.message + '\n');
    return 2;
  }
  return undefined;
}
