// localhsm down: stops every HSM node of the cluster (state stays on disk).
import { readManifest } from '../../cluster/state-dir.js';
import { stopNodes } from '../cluster-manager.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../context.js';

export const downCommand = localCommand({
  path: ['down'],
  about: 'Stop the HSMs of the local cluster; their state stays on disk',
  options: [STATE_OPTION],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const manifest = readManifest(dir);
    const stopped = await stopNodes(dir);
    ctx.out(
      `Cluster ${manifest.clusterId}: stopped ${stopped.length} HSM(s)${stopped.length ? ` (${stopped.join(', ')})` : ''}.`,
    );
    return 0;
  },
});
