// Runs a localhsm command tree: resolves argv, runs the command, turns errors into one stderr line and an exit status.
import type { ProcessIo } from '../command/process-io.js';
import { reportParseOutcome } from '../command/parse.js';
import { CommandCancelled, EXIT_CANCELLED } from '../command/prompting-io.js';
import { type CommandTree, resolve } from '../command/tree.js';
import { HsmError } from '../errors.js';
import type { LocalContext } from './context.js';

export async function runLocalTree(
  tree: CommandTree<LocalContext, number>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ProcessIo,
): Promise<number> {
  const ctx: LocalContext = {
    ...io,
    env,
    out: (line) => io.stdout.write(`${line}\n`),
    err: (line) => io.stderr.write(`${line}\n`),
  };
  try {
    const { spec, options } = resolve(tree, argv, ['localhsm']);
    return await spec.run(options, ctx);
  } catch (error) {
    const parseOutcome = reportParseOutcome(error, io.stdout, io.stderr);
    if (parseOutcome !== undefined) return parseOutcome;
    // Ctrl-C or Ctrl-D at a prompt: the terminal shows it already; the status is a shell's for Ctrl-C.
    if (error instanceof CommandCancelled) return EXIT_CANCELLED;
    ctx.err(
      `error: ${error instanceof HsmError ? error.message : ((error as Error)?.message ?? String(error))}`,
    );
    if (env.LOCALHSM_DEBUG && !(error instanceof HsmError)) ctx.err(String((error as Error)?.stack));
    return 1;
  }
}
