// localhsm hsm sync: runs server-side key sync now (what each node does by itself every 30 s).
import { readManifest } from '../../../cluster/state-dir.js';
import { syncClusterKeys } from '../../key-sync.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';

export const hsmSyncCommand = localCommand({
  path: ['hsm', 'sync'],
  about:
    'Copy now the token keys (sealed), key changes and key deletions an HSM missed while it was down to it; each HSM also does this by itself every 30 s',
  options: [STATE_OPTION],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const report = await syncClusterKeys(dir, readManifest(dir));
    ctx.out(
      `Key sync: ${report.copied} key copies stored, ${report.updated} keys updated, ${report.deleted} keys deleted.`,
    );
    const unreachable = [...new Set(report.unreachable)];
    if (unreachable.length) ctx.err(`warning: not synchronised (not answering): ${unreachable.join(', ')}`);
    if (report.conflicts.length)
      ctx.err(
        `warning: two HSMs hold different keys under the same reference, left as they are: ${report.conflicts.join(', ')}`,
      );
    return 0;
  },
});
