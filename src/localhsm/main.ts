// localhsm entry point: every localhsm command.
import type { ProcessIo } from '../command/process-io.js';
import { localTree } from './registry.js';
import { runLocalTree } from './run.js';

export function localhsmMain(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ProcessIo,
): Promise<number> {
  return runLocalTree(localTree, argv, env, io);
}
