// localhsm reset: stops the cluster and deletes its state directory (all users, keys and logs).
import fs from 'node:fs';
import { hasCluster } from '../../cluster/state-dir.js';
import { HsmError } from '../../errors.js';
import { stopNodes } from '../cluster-manager.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../context.js';

export const resetCommand = localCommand({
  path: ['reset'],
  about: 'Stop the local cluster and delete its state directory',
  options: [STATE_OPTION],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    // Only a directory holding a LocalHSM cluster is ever deleted.
    if (!hasCluster(dir))
      throw new HsmError('ERR_STATE', { detail: `${dir} holds no LocalHSM cluster; nothing deleted` });
    await stopNodes(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    ctx.out(`Deleted the cluster in ${dir}.`);
    return 0;
  },
});
