// localhsm hsm remove: stops one HSM, removes it from the cluster and cloudhsm-cli.cfg, and deletes its state.
import fs from 'node:fs';
import { paths, readManifest, writeManifest } from '../../../cluster/state-dir.js';
import { HsmError } from '../../../errors.js';
import { stopNodes, writeCliConfig } from '../../cluster-manager.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { selectHsms } from '../../select-hsms.js';

export const hsmRemoveCommand = localCommand({
  path: ['hsm', 'remove'],
  about: 'Remove one HSM from the cluster and delete its state',
  options: [{ long: 'hsm', value: 'ID', required: true, help: 'The HSM to remove' }, STATE_OPTION],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const manifest = readManifest(dir);
    const [hsm] = selectHsms(manifest, options);
    if (manifest.hsms.length === 1)
      throw new HsmError('ERR_STATE', {
        detail: 'cannot remove the last HSM; use localhsm reset to delete the cluster',
      });
    await stopNodes(dir, [hsm!.id]);
    const remaining = { ...manifest, hsms: manifest.hsms.filter((h) => h.id !== hsm!.id) };
    writeManifest(dir, remaining);
    writeCliConfig(dir, remaining);
    fs.rmSync(paths(dir).hsm(hsm!.id).dir, { recursive: true, force: true });
    ctx.out(`${hsm!.id} removed; the cluster has ${remaining.hsms.length} HSM(s).`);
    return 0;
  },
});
