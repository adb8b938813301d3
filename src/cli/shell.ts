// The interactive shell: `aws-cloudhsm > ` prompt, help, completion, history; heredoc scripts when stdin is a pipe.
import type { CliContext, CliSession } from './context.js';
import { END_KEY, INTERRUPTED, LineInput } from '../command/line-input.js';
import { HsmError } from '../errors.js';
import type { ProcessIo } from '../command/process-io.js';
import { renderEnvelope } from './output.js';
import { parseCommandArgs, reportParseOutcome } from '../command/parse.js';
import { cliTree } from './registry.js';
import { runCommand } from './run-command.js';
import { resolve, type CommandTree } from '../command/tree.js';
import { completeLine, completeLineAsync } from '../command/complete.js';
import { KeyCompletion } from './key-completion.js';
import { CommandCancelled, promptingIo } from '../command/prompting-io.js';
import { splitWords } from '../command/words.js';
import { commandHelp } from '../command/help.js';
import { keepInHistory } from './history-filter.js';

export const SHELL_PROMPT = 'aws-cloudhsm > ';

const INTERACTIVE = {
  path: ['interactive'],
  about: 'Start an interactive session',
  options: [
    {
      long: 'cluster-id',
      value: 'CLUSTER_ID',
      help: 'Unique Id of the cluster to run commands against when a command does not name one',
    },
  ],
  run: async () => undefined,
};

export interface ShellOptions {
  session: CliSession;
  env: NodeJS.ProcessEnv;
  io: ProcessIo;
  /** Undefined with an installed config (no state directory to keep the history in). */
  historyFile: string | undefined;
}

const EXIT_WORDS = new Set(['quit', 'exit']);

export async function runShell(argv: readonly string[], options: ShellOptions): Promise<number> {
  const { session, env, io } = options;
  try {
    const parsed = parseCommandArgs(INTERACTIVE, argv, () => commandHelp(INTERACTIVE, ['cloudhsm-cli']), [
      'cloudhsm-cli',
    ]);
    session.defaultClusterId = parsed.string('cluster-id');
  } catch (error) {
    const parseOutcome = reportParseOutcome(error, io.stdout, io.stderr);
    if (parseOutcome === undefined) throw error;
    return parseOutcome;
  }
  const tree = cliTree('');
  const keys = new KeyCompletion(() => session.cluster());
  const input = new LineInput({
    input: io.stdin,
    output: io.stderr,
    terminal: io.stdin.isTTY === true,
    historyFile: options.historyFile,
    keepInHistory: (line) => keepInHistory(tree, line),
    completer: (line) => completeWithKeys(tree, line, keys),
  });
  const prompter = promptingIo(() => input, io.stderr);
  // A script (heredoc, pipe) that ends while a command still asks for a value did not run to its end.
  let inputCutShort = false;
  const ctx: CliContext = {
    session,
    env,
    io: {
      ...prompter,
      prompt: (question, promptOptions) =>
        prompter.prompt(question, promptOptions).catch((error: unknown) => {
          if (error instanceof HsmError && error.code === 'ERR_INPUT_CLOSED') inputCutShort = true;
          throw error;
        }),
    },
  };
  try {
    for (;;) {
      const line = await input.read(SHELL_PROMPT);
      // Ctrl-C clears the line, as bash does; Ctrl-D on the empty line leaves, like quit.
      if (line === INTERRUPTED) continue;
      if (line === undefined || line === END_KEY) break;
      const words = splitWords(line);
      if (words.length === 0) continue;
      if (words.length === 1 && EXIT_WORDS.has(words[0]!)) break;
      let resolved;
      try {
        resolved = resolve(tree, words);
      } catch (error) {
        if (reportParseOutcome(error, io.stdout, io.stderr) === undefined) throw error;
        continue;
      }
      let envelope;
      try {
        envelope = await runCommand(resolved.spec, resolved.options, ctx);
      } catch (error) {
        if (error instanceof CommandCancelled) continue;
        throw error;
      } finally {
        keys.clear();
      }
      io.stdout.write(renderEnvelope(envelope));
    }
  } finally {
    input.close();
  }
  return inputCutShort ? 1 : 0;
}

/** Tab completion: command words, option names, option values and file paths (src/command/complete.ts). */
export function complete(tree: CommandTree<unknown, unknown>, line: string): [string[], string] {
  return completeLine(tree, line, { rootWords: ['help', 'quit', 'exit'] });
}

/** complete(), and the labels and references of the keys the login sees in key filters (src/cli/key-completion.ts). */
export function completeWithKeys(
  tree: CommandTree<unknown, unknown>,
  line: string,
  keys: KeyCompletion,
): Promise<[string[], string]> {
  return completeLineAsync(tree, line, {
    rootWords: ['help', 'quit', 'exit'],
    dynamicValues: (option, partial) => keys.values(option, partial),
  });
}
