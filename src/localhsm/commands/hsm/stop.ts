// localhsm hsm stop: stops one HSM node (fault injection); its state stays.
import { readManifest } from '../../../cluster/state-dir.js';
import { stopNodes } from '../../cluster-manager.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { selectHsms } from '../../select-hsms.js';

export const hsmStopCommand = localCommand({
  path: ['hsm', 'stop'],
  about: 'Stop one HSM of the cluster (to rehearse a failed HSM); localhsm hsm start brings it back',
  options: [{ long: 'hsm', value: 'ID', required: true, help: 'The HSM to stop' }, STATE_OPTION],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const [hsm] = selectHsms(readManifest(dir), options);
    const stopped = await stopNodes(dir, [hsm!.id]);
    ctx.out(stopped.length ? `${hsm!.id} stopped.` : `${hsm!.id} was not running.`);
    return 0;
  },
});
