// localhsm entry point: resolves the command, runs it, and turns errors into one line on stderr and an exit status.
import { HsmError } from '../errors.js';
import { HelpRequested, UsageError } from '../cli/parse.js';
import { resolve } from '../cli/tree.js';
import type { ProcessIo } from '../cli/main.js';
import type { LocalContext } from './context.js';
import { localTree } from './registry.js';

export async function localhsmMain(argv: readonly string[], env: NodeJS.ProcessEnv, io: ProcessIo): Promise<number> {
  const ctx: LocalContext = {
    ...io,
    env,
    out: (line) => io.stdout.write(`${line}\n`),
    err: (line) => io.stderr.write(`${line}\n`),
  };
  try {
    const { spec, options } = resolve(localTree, argv, ['localhsm']);
    return await spec.run(options, ctx);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout.write(error.text + '\n');
      return 0;
    }
    if (error instanceof UsageError) {
      io.stderr.write(error.message + '\n');
      return 2;
    }
    ctx.err(`error: ${error instanceof HsmError ? error.message : (error as Error)?.message ?? String(error)}`);
    if (env.LOCALHSM_DEBUG && !(error instanceof HsmError)) ctx.err(String((error as Error)?.stack));
    return 1;
  }
}
