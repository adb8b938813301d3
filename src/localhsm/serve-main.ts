// Lean entry for `localhsm hsm serve`: loads only what a node needs, so HSM processes start fast.
import type { ProcessIo } from '../command/process-io.js';
import { hsmServeCommand } from './commands/hsm/serve.js';
import { runLocalTree } from './run.js';

export function serveMain(argv: readonly string[], env: NodeJS.ProcessEnv, io: ProcessIo): Promise<number> {
  return runLocalTree(
    { name: 'localhsm', about: '', commands: [hsmServeCommand], groups: {} },
    argv,
    env,
    io,
  );
}
