// localhsm hsm start: starts one stopped HSM node in the background and waits until it answers.
import { readManifest } from '../../../cluster/state-dir.js';
import { startNodes } from '../../cluster-manager.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { selectHsms } from '../../select-hsms.js';

export const hsmStartCommand = localCommand({
  path: ['hsm', 'start'],
  about: 'Start one HSM of the cluster in the background',
  options: [{ long: 'hsm', value: 'ID', required: true, help: 'The HSM to start' }, STATE_OPTION],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const [hsm] = selectHsms(readManifest(dir), options);
    await startNodes(dir, { detach: true, only: [hsm!.id], progress: ctx.err });
    ctx.out(`${hsm!.id} is up.`);
    return 0;
  },
});
