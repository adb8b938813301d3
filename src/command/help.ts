// Help text in clap's layout, generated from the command specs (also used for docs/cli.md).
import type { CommandSpec, OptionSpec } from './spec.js';

const EXTENSION_MARK = '[LocalHSM extension] ';

function label(o: OptionSpec): string {
  if (o.value && o.words) return `--${o.long} [<${o.value}>...]`;
  return o.value ? `--${o.long} <${o.value}>` : `--${o.long}`;
}

export function usageLine(spec: CommandSpec<unknown, unknown>, prefix: readonly string[] = []): string {
  if (spec.usage) return `Usage: ${[...prefix, spec.usage].join(' ')}`;
  const parts = [...prefix, ...spec.path];
  const grouped = new Set((spec.exactlyOne ?? []).flat());
  const hasOptional = spec.options.some((o) => !o.required && !grouped.has(o.long));
  if (hasOptional) parts.push('[OPTIONS]');
  for (const o of spec.options) if (o.required) parts.push(label(o));
  for (const group of spec.exactlyOne ?? []) {
    parts.push(`<${group.map((n) => label(spec.options.find((o) => o.long === n)!)).join('|')}>`);
  }
  for (const p of spec.positionals ?? []) {
    const name = `<${p.name}>${p.multiple ? '...' : ''}`;
    parts.push(p.required ? name : `[${name}]`);
  }
  return `Usage: ${parts.join(' ')}`;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

function helpLabel(o: OptionSpec): string {
  return o.short ? `-${o.short}, ${label(o)}` : `    ${label(o)}`;
}

/** `subcommands`: commands below this one (like `login mfa-token-sign`), listed as clap does. */
export function commandHelp(
  spec: CommandSpec<unknown, unknown>,
  prefix: readonly string[] = [],
  subcommands: readonly HelpEntry[] = [],
): string {
  const out: string[] = [];
  const usage = usageLine(spec, prefix) + (subcommands.length ? ' [COMMAND]' : '');
  out.push((spec.extension ? EXTENSION_MARK : '') + spec.about, '', usage, '');
  if (subcommands.length) {
    const width = Math.max(4, ...subcommands.map((e) => e.name.length)) + 2;
    out.push('Commands:', ...subcommands.map((e) => `  ${e.name.padEnd(width)}${e.about}`), '');
  }
  if (spec.positionals?.length) {
    out.push('Arguments:');
    for (const p of spec.positionals)
      out.push(`  <${p.name}>${p.multiple ? '...' : ''}`, indent(p.help, 10), '');
  }
  out.push('Options:');
  for (const o of spec.options) {
    out.push(`  ${helpLabel(o)}`);
    out.push(indent((o.extension ? EXTENSION_MARK : '') + o.help, 10));
    if (o.possible?.some((p) => p.help)) {
      const width = Math.max(...o.possible.map((p) => p.value.length)) + 1;
      out.push('', indent('Possible values:', 10));
      for (const p of o.possible)
        out.push(indent(`- ${`${p.value}:`.padEnd(width + 1)}${p.help ?? ''}`.trimEnd(), 10));
    } else if (o.possible) {
      out.push('', indent(`[possible values: ${o.possible.map((p) => p.value).join(', ')}]`, 10));
    }
    out.push('');
  }
  out.push('  -h, --help', indent("Print help (see a summary with '-h')", 10));
  if (spec.version) out.push('', '  -V, --version', indent('Print version information', 10));
  if (spec.examples?.length) out.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return out.join('\n');
}

export interface HelpEntry {
  name: string;
  about: string;
}

export function groupHelp(
  about: string,
  usagePath: readonly string[],
  entries: readonly HelpEntry[],
  version = false,
): string {
  const width = Math.max(4, ...entries.map((e) => e.name.length)) + 2;
  const lines = [about, '', `Usage: ${[...usagePath, '<COMMAND>'].join(' ')}`, '', 'Commands:'];
  for (const e of entries) lines.push(`  ${e.name.padEnd(width)}${e.about}`);
  lines.push(`  ${'help'.padEnd(width)}Print this message or the help of the given subcommand(s)`);
  lines.push('', 'Options:');
  if (version) lines.push('  -h, --help     Print help', '  -V, --version  Print version');
  else lines.push('  -h, --help  Print help');
  return lines.join('\n');
}
