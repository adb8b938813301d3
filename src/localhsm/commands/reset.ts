// localhsm reset: stops the cluster and deletes what LocalHSM created in its state directory (users, keys, logs);
// a file it did not create is never deleted. Running HSMs are only stopped after a confirmation or --yes.
import { hasCluster } from '../../cluster/state-dir.js';
import { HsmError } from '../../errors.js';
import { clusterStatus, stopNodes } from '../cluster-manager.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../context.js';
import { deleteOwnedFiles, isStateDir } from '../owned-files.js';
import { localPromptIo } from '../prompt-io.js';

export const resetCommand = localCommand({
  path: ['reset'],
  about:
    'Stop the local cluster and delete the files LocalHSM created in its state directory (asks first when HSMs are running)',
  options: [
    STATE_OPTION,
    { long: 'yes', help: 'Do not ask for confirmation when HSMs of the cluster are running' },
  ],
  examples: ['localhsm reset --state /tmp/c1 --yes'],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    // Only a directory LocalHSM claimed (marker, or the manifest of a cluster made before markers) is touched.
    if (!isStateDir(dir))
      throw new HsmError('ERR_STATE', { detail: `${dir} holds no LocalHSM cluster; nothing deleted` });
    if (hasCluster(dir)) {
      const { manifest, hsms } = await clusterStatus(dir);
      const running = hsms.filter((h) => h.up || h.pid !== undefined).map((h) => h.id);
      if (running.length > 0 && !options.flag('yes')) {
        const what = `${running.length} HSM(s) of ${manifest.clusterId} are running (${running.join(', ')})`;
        if (ctx.stdin.isTTY !== true) {
          throw new HsmError('ERR_STATE', {
            detail: `${what}; nothing deleted. To stop them and delete the cluster, run: localhsm reset --state ${dir} --yes`,
          });
        }
        const io = localPromptIo(ctx);
        try {
          const answer = await io.prompt(`${what}. Stop them and delete the cluster in ${dir}? [y/N] `);
          if (!/^y(es)?$/i.test(answer.trim())) {
            ctx.err('Nothing deleted.');
            return 1;
          }
        } finally {
          io.close();
        }
      }
      await stopNodes(dir);
    }
    const kept = deleteOwnedFiles(dir);
    ctx.out(`Deleted the cluster in ${dir}.`);
    if (kept.length > 0)
      ctx.err(
        `Kept ${dir}: it holds files LocalHSM did not create, which were not deleted: ${kept.join(', ')}`,
      );
    return 0;
  },
});
