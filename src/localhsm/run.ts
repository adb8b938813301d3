// Runs a localhsm command tree: resolves argv, runs the command, turns errors into one stderr line and an exit status.
import type { ProcessIo } from '../command/process-io.js';
import { reportParseOutcome } from '../command/parse.js';
import { CommandCancelled, EXIT_CANCELLED } from '../command/prompting-io.js';
import { type CommandTree, resolve } from '../command/tree.js';
import { HsmError } from '../errors.js';
import type { LocalContext } from './context.js';
import { resolveStateDir } from '../cluster/state-dir.js';
import { stateSource } from '../cli/hints.js';

/** The --state given on the command line, for the hints below (each command parses its own). */
function stateFlag(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('--state');
  if (at !== -1) return argv[at + 1];
  return argv.find((a) => a.startsWith('--state='))?.slice('--state='.length);
}

/** What to do next after an error the user can fix (stderr, after the error line). */
function localNextStep(error: HsmError, argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const flag = stateFlag(argv);
  const dir = resolveStateDir(flag, env);
  if (error.code === 'ERR_NO_CLUSTER')
    return (
      `hint: looked in ${dir} (from ${stateSource(flag, env)}; the state directory is --state DIR, else $LOCALHSM_STATE, ` +
      `else ./.localhsm): create a cluster there with \`localhsm up\`, or point --state / LOCALHSM_STATE at an existing one`
    );
  if (error.code === 'ERR_NO_HSM')
    return `hint: no HSM of this cluster answered: run \`localhsm up\` (state: ${dir})`;
  return undefined;
}

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
    const hint = error instanceof HsmError ? localNextStep(error, argv, env) : undefined;
    if (hint) ctx.err(hint);
    if (env.LOCALHSM_DEBUG && !(error instanceof HsmError)) ctx.err(String((error as Error)?.stack));
    return 1;
  }
}
