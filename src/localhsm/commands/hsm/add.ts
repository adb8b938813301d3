// localhsm hsm add: a new HSM cloned from a healthy one (users, MFA and quorum keys, settings), with its own identity.
import { paths, readManifest, writeManifest } from '../../../cluster/state-dir.js';
import { HsmError } from '../../../errors.js';
import {
  addNodeFiles,
  choosePorts,
  clusterStatus,
  startNodes,
  writeCliConfig,
} from '../../cluster-manager.js';
import { cloneFrom } from '../../clone.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';

export const hsmAddCommand = localCommand({
  path: ['hsm', 'add'],
  about: 'Add an HSM to the cluster, cloned from a running one, and start it; it joins cloudhsm-cli.cfg',
  options: [
    { long: 'from', value: 'ID', help: 'The HSM to clone [default: the first HSM that answers]' },
    STATE_OPTION,
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const { hsms } = await clusterStatus(dir);
    const from = options.string('from');
    const source = hsms.find((h) => (from ? h.id === from : h.up));
    if (!source && from) throw new HsmError('ERR_HSM_NOT_FOUND', { hsm: from });
    if (!source)
      throw new HsmError('ERR_STATE', { detail: 'no HSM of the cluster is running to clone from' });
    const manifest = readManifest(dir);
    const [port] = await choosePorts(
      1,
      Math.max(...manifest.hsms.map((h) => h.port)) + 1,
      source.host,
      manifest.hsms.map((h) => h.port),
    );
    const hsm = await addNodeFiles(
      dir,
      manifest,
      { host: source.host, port: port! },
      cloneFrom(paths(dir).hsm(source.id).db, source.id),
    );
    writeManifest(dir, manifest);
    writeCliConfig(dir, manifest);
    ctx.err(`${hsm.id} cloned from ${source.id}; starting on ${hsm.host}:${hsm.port}`);
    await startNodes(dir, { detach: true, only: [hsm.id] });
    ctx.out(`${hsm.id} added (cloned from ${source.id}) and running on ${hsm.host}:${hsm.port}.`);
    return 0;
  },
});
