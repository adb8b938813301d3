// A tree of command specs: resolves argv to a command (or a group to describe) for either binary.
import { type HelpEntry, commandHelp, groupHelp } from './help.js';
import { HelpRequested, UsageError, VersionRequested, parseCommandArgs } from './parse.js';
import type { CommandSpec, ParsedOptions } from './spec.js';
import { similar, tipLine } from './suggest.js';

export interface CommandTree<Ctx, Out> {
  /** Binary name shown in usage lines of single-command mode (empty inside the interactive shell). */
  name: string;
  about: string;
  commands: readonly CommandSpec<Ctx, Out>[];
  /** About text of each group path, keyed by its words joined with spaces. */
  groups: Readonly<Record<string, string>>;
  /** What `-V, --version` prints, for commands that accept it. */
  version?: string;
  /**
   * Top-level commands the binary runs itself before resolving (cloudhsm-cli's `interactive`): listed in
   * help, suggested for typos and completed like the others.
   */
  extra?: readonly HelpEntry[];
}

export type Resolved<Ctx, Out> = { spec: CommandSpec<Ctx, Out>; options: ParsedOptions };

const key = (path: readonly string[]) => path.join(' ');

/** Direct children (commands and groups) of a path, sorted by name. */
export function childrenOf(tree: CommandTree<unknown, unknown>, path: readonly string[]): HelpEntry[] {
  const entries = new Map<string, string>();
  for (const c of tree.commands) {
    if (c.path.length <= path.length || key(c.path.slice(0, path.length)) !== key(path)) continue;
    const name = c.path[path.length]!;
    const childPath = [...path, name];
    entries.set(name, tree.groups[key(childPath)] ?? findCommand(tree, childPath)?.about ?? '');
  }
  if (path.length === 0) for (const e of tree.extra ?? []) entries.set(e.name, e.about);
  return [...entries].map(([name, about]) => ({ name, about })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The binary prints its version for `-V`/`--version` as its first word (not inside the shell). */
const offersVersion = (tree: CommandTree<unknown, unknown>) => Boolean(tree.name && tree.version);

/** Whether `path` begins with `prefix` (compared word by word: resolve runs this per command per word). */
const startsWith = (path: readonly string[], prefix: readonly string[]) =>
  path.length >= prefix.length && prefix.every((word, i) => path[i] === word);

function findCommand<Ctx, Out>(tree: CommandTree<Ctx, Out>, path: readonly string[]) {
  return tree.commands.find((c) => c.path.length === path.length && startsWith(c.path, path));
}

/** Whether `word` names a command or group right below `path` (what childrenOf lists, without building it). */
function hasChild(tree: CommandTree<unknown, unknown>, path: readonly string[], word: string): boolean {
  if (path.length === 0 && tree.extra?.some((e) => e.name === word)) return true;
  return tree.commands.some(
    (c) => c.path.length > path.length && c.path[path.length] === word && startsWith(c.path, path),
  );
}

/** The command whose last path word is `word` or one of its hidden aliases, below `path`. */
function findAlias<Ctx, Out>(tree: CommandTree<Ctx, Out>, path: readonly string[], word: string | undefined) {
  if (word === undefined) return undefined;
  return tree.commands.find(
    (c) =>
      c.path.length === path.length + 1 &&
      key(c.path.slice(0, -1)) === key(path) &&
      c.aliases?.includes(word),
  );
}

export function helpFor(
  tree: CommandTree<unknown, unknown>,
  path: readonly string[],
  prefix: readonly string[],
): string {
  const command = findCommand(tree, path);
  if (command) return commandHelp(command, prefix, childrenOf(tree, path));
  const about = path.length === 0 ? tree.about : (tree.groups[key(path)] ?? '');
  return groupHelp(
    about,
    [...prefix, ...path],
    childrenOf(tree, path),
    path.length === 0 && offersVersion(tree),
  );
}

/** Words that name commands in the tree, in order; the rest of argv belongs to the command. */
export function resolve<Ctx, Out>(
  tree: CommandTree<Ctx, Out>,
  argv: readonly string[],
  prefix: readonly string[] = [],
): Resolved<Ctx, Out> {
  if (offersVersion(tree as CommandTree<unknown, unknown>) && (argv[0] === '--version' || argv[0] === '-V'))
    throw new VersionRequested(`${tree.name} ${tree.version}`);
  const path: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const word = argv[i]!;
    if (hasChild(tree as CommandTree<unknown, unknown>, path, word)) path.push(word);
    else {
      const aliased = findAlias(tree, path, word);
      if (!aliased) break;
      path.push(aliased.path[path.length]!);
    }
    i++;
  }
  if (argv[i] === 'help' && !findCommand(tree, path))
    throw new HelpRequested(helpFor(tree, [...path, ...argv.slice(i + 1)], prefix));
  let command = findCommand(tree, path);
  let rest = argv.slice(i);
  // A command with subcommands after its own options, like `login --username u --role r mfa-token-sign --token f`.
  if (command) {
    const sub = rest.findIndex((word, at) => {
      const previous = rest[at - 1];
      const takesValue =
        previous?.startsWith('--') && command!.options.find((o) => o.long === previous.slice(2))?.value;
      return !takesValue && findCommand(tree, [...path, word]) !== undefined;
    });
    if (sub !== -1) {
      path.push(rest[sub]!);
      command = findCommand(tree, path);
      rest = [...rest.slice(0, sub), ...rest.slice(sub + 1)];
    }
  }
  if (!command) {
    if (argv.length === i || argv[i] === '--help' || argv[i] === '-h') {
      throw new HelpRequested(helpFor(tree, path, prefix));
    }
    const word = argv[i]!;
    const names = childrenOf(tree as CommandTree<unknown, unknown>, path).map((c) => c.name);
    const near = similar(word, [...names, 'help']);
    throw new UsageError(
      `error: unrecognized subcommand '${word}'${tipLine('subcommand', near)}\n\nUsage: ${[...prefix, ...path, '<COMMAND>'].join(' ')}\n\nFor more information, try '--help'.`,
    );
  }
  const spec = command;
  const options = parseCommandArgs(
    spec as CommandSpec<unknown, unknown>,
    rest,
    () =>
      commandHelp(
        spec as CommandSpec<unknown, unknown>,
        prefix,
        childrenOf(tree as CommandTree<unknown, unknown>, spec.path),
      ),
    prefix,
    `${tree.name || 'cloudhsm-cli'} ${tree.version ?? ''}`.trim(),
  );
  return { spec, options };
}
