// Lean entry for `localhsm hsm serve`: loads only what a node needs, so HSM processes start fast.
import type { ProcessIo } from '../cli/main.js';
import { HelpRequested, UsageError } from '../cli/parse.js';
import { resolve } from '../cli/tree.js';
import { hsmServeCommand } from './commands/hsm/serve.js';
import type { LocalContext } from './context.js';

export async function serveMain(argv: readonly string[], env: NodeJS.ProcessEnv, io: ProcessIo): Promise<number> {
  const ctx: LocalContext = { ...io, env, out: (l) => io.stdout.write(`${l}\n`), err: (l) => io.stderr.write(`${l}\n`) };
  try {
    const tree = { name: 'localhsm', about: '', commands: [hsmServeCommand], groups: {} };
    const { spec, options } = resolve(tree, argv, ['localhsm']);
    return await spec.run(options, ctx);
  } catch (error) {
    if (error instanceof HelpRequested) io.stdout.write(error.text + '\n');
    else ctx.err(error instanceof UsageError ? error.message : `error: ${(error as Error)?.message ?? String(error)}`);
    return error instanceof HelpRequested ? 0 : error instanceof UsageError ? 2 : 1;
  }
}
