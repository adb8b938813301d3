// Tab completion derived from the command tree: command words, option names, option values and file paths.
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import type { OptionSpec } from './spec.js';
import { childrenOf, type CommandTree } from './tree.js';
import { splitWords } from './words.js';

/** What an option's value completes to. */
export type ValueKind =
  | { kind: 'flag' }
  | { kind: 'values'; values: readonly string[] }
  | { kind: 'path' }
  | { kind: 'dir' }
  | { kind: 'text' };

const PATH_PLACEHOLDERS = new Set(['FILE', 'PATH', 'PEM', 'OUT']);

/**
 * Read from the spec, so commands added later complete without edits: `possible` values, else a
 * directory or a file when the placeholder or the help says so (`Filepath ...`, `PEM file of ...`).
 */
export function valueKind(o: OptionSpec): ValueKind {
  if (!o.value) return { kind: 'flag' };
  if (o.possible) return { kind: 'values', values: o.possible.map((p) => p.value) };
  if (o.valueHint) return { kind: o.valueHint };
  if (o.value === 'DIR' || /(^|-)dir$/.test(o.long) || /\bdirectory\b/i.test(o.help)) return { kind: 'dir' };
  // "the clusters in the config file" (--cluster-id) names a file without taking one.
  if (
    PATH_PLACEHOLDERS.has(o.value) ||
    /(^|-)(file|path|out|output)$/.test(o.long) ||
    /(?<!config )\b(file ?path|file)\b/i.test(o.help)
  )
    return { kind: 'path' };
  return { kind: 'text' };
}

export interface CompletionExtras {
  /** Words completed at the top level besides the tree's (the shell's `help`, `quit`, `exit`). */
  rootWords?: readonly string[];
  /** Options accepted at the top level (the binary's own, like `--state`). */
  rootOptions?: readonly OptionSpec[];
  /**
   * Values only the running program knows (the shell's key labels and references), for the word typed as an
   * option's value; undefined leaves that word to the spec. Used by completeLineAsync only.
   */
  dynamicValues?: (option: OptionSpec, partial: string) => Promise<readonly string[]> | undefined;
}

/**
 * completeLine, with `extras.dynamicValues` asked first for an option's value: the word right after the option,
 * or any later word of an option that takes several words (`--filter attr.a=1 attr.b=`), when one is begun.
 */
export async function completeLineAsync<Ctx, Out>(
  tree: CommandTree<Ctx, Out>,
  line: string,
  extras: CompletionExtras = {},
): Promise<[string[], string]> {
  if (extras.dynamicValues) {
    const words = splitWords(line);
    const partial = /\s$/.test(line) || line === '' ? '' : (words.pop() ?? '');
    const { command } = commandAt(tree, words, extras);
    const options = command?.options ?? [];
    let at = words.length - 1;
    while (at >= 0 && !words[at]!.startsWith('--')) at--;
    const option = at >= 0 ? options.find((o) => o.long === words[at]!.slice(2)) : undefined;
    const takesWord =
      option?.value !== undefined &&
      !partial.startsWith('--') &&
      (at === words.length - 1 || (option.words === true && partial !== ''));
    const values = option && takesWord ? extras.dynamicValues(option, partial) : undefined;
    if (values) return [(await values).filter((v) => v.startsWith(partial)), partial];
  }
  return completeLine(tree, line, extras);
}

/** The command path named by `words` (words that are option values are skipped) and the command, if any. */
export function commandAt<Ctx, Out>(
  tree: CommandTree<Ctx, Out>,
  words: readonly string[],
  extras: CompletionExtras = {},
) {
  const path: string[] = [];
  const find = () => tree.commands.find((c) => c.path.join(' ') === path.join(' '));
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const options = find()?.options ?? (path.length === 0 ? (extras.rootOptions ?? []) : []);
    const option = word.startsWith('--') ? options.find((o) => o.long === word.slice(2)) : undefined;
    if (option?.value && !option.optionalValue) i++;
    else if (childrenOf(tree as CommandTree<unknown, unknown>, path).some((c) => c.name === word))
      path.push(word);
  }
  return { path, command: find() };
}

/** readline's completer: `[candidates, the word they replace]` for the line typed so far. */
export function completeLine<Ctx, Out>(
  tree: CommandTree<Ctx, Out>,
  line: string,
  extras: CompletionExtras = {},
): [string[], string] {
  const words = splitWords(line);
  const partial = /\s$/.test(line) || line === '' ? '' : (words.pop() ?? '');
  const { path, command } = commandAt(tree, words, extras);
  const options = command?.options ?? (path.length === 0 ? (extras.rootOptions ?? []) : []);
  const previous = words[words.length - 1];
  const option = previous?.startsWith('--') ? options.find((o) => o.long === previous.slice(2)) : undefined;
  if (option) {
    const value = valueKind(option);
    if (value.kind === 'values') {
      const hits = value.values.filter((v) => v.startsWith(partial));
      if (!option.optionalValue || hits.length > 0 || partial !== '') return [hits, partial];
    } else if (value.kind === 'path' || value.kind === 'dir')
      return completePath(partial, value.kind === 'dir');
    else if (value.kind === 'text') return [[], partial];
  }
  const candidates = childrenOf(tree as CommandTree<unknown, unknown>, path).map((c) => c.name);
  if (path.length === 0) candidates.push(...(extras.rootWords ?? []));
  // Option names where a command (or the binary's top level, for its own options) takes them.
  if (command || options.length > 0)
    candidates.push(
      ...options.filter((o) => o.multiple || !words.includes(`--${o.long}`)).map((o) => `--${o.long}`),
      '--help',
    );
  return [candidates.filter((c) => c.startsWith(partial)), partial];
}

/** File names starting with `partial` (a directory gets a trailing `/`); `~/` is read as the home directory. */
export function completePath(partial: string, directoriesOnly = false): [string[], string] {
  const home = partial.startsWith('~/') ? os.homedir() : undefined;
  const typed = home ? home + partial.slice(1) : partial;
  const slash = typed.lastIndexOf('/');
  const dir = slash === -1 ? '.' : typed.slice(0, slash + 1) || '/';
  const base = typed.slice(slash + 1);
  const shown = slash === -1 ? '' : partial.slice(0, partial.length - base.length);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(nodePath.resolve(dir), { withFileTypes: true });
  } catch {
    return [[], partial];
  }
  const isDir = (e: fs.Dirent) => {
    if (e.isDirectory()) return true;
    if (!e.isSymbolicLink()) return false;
    try {
      return fs.statSync(nodePath.join(dir, e.name)).isDirectory();
    } catch {
      return false;
    }
  };
  const hits = entries
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .filter((e) => !directoriesOnly || isDir(e))
    .map((e) => shown + e.name + (isDir(e) ? '/' : ''))
    .sort();
  return [hits, partial];
}
