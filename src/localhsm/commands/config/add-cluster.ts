// localhsm config add-cluster: puts another local cluster into this cluster's cloudhsm-cli.cfg (a multi-cluster
// config, as configure-cli add-cluster makes for CloudHSM), so one cloudhsm-cli selects either with --cluster-id.
import path from 'node:path';
import { readConfig, upsertCluster } from '../../../cluster/config.js';
import { hasCluster, paths, readManifest } from '../../../cluster/state-dir.js';
import { HsmError } from '../../../errors.js';
import { writeFileAtomic } from '../../../files/atomic-write.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';

export const configAddClusterCommand = localCommand({
  path: ['config', 'add-cluster'],
  about:
    "Add the cluster of another state directory to this cluster's cloudhsm-cli.cfg; cloudhsm-cli then needs --cluster-id to choose one",
  examples: ['localhsm config add-cluster --from /tmp/clone --state .localhsm'],
  options: [
    {
      long: 'from',
      value: 'DIR',
      required: true,
      help: "The other cluster's state directory (run this again after its HSMs move to other ports)",
    },
    STATE_OPTION,
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const other = path.resolve(options.required('from'));
    for (const d of [dir, other])
      if (!hasCluster(d)) throw new HsmError('ERR_STATE', { detail: `${d} holds no LocalHSM cluster` });
    const own = readManifest(dir);
    const { clusterId } = readManifest(other);
    if (clusterId === own.clusterId)
      throw new HsmError('ERR_STATE', { detail: `${other} holds this same cluster ${clusterId}` });
    const entry = readConfig(paths(other).config).clusters.find((c) => c.cluster_id === clusterId);
    if (!entry)
      throw new HsmError('ERR_STATE', { detail: `${paths(other).config} has no entry for ${clusterId}` });
    const file = paths(dir).config;
    // The other config's CA path is relative to its own directory, if relative at all.
    const caFile = path.resolve(path.dirname(paths(other).config), entry.cluster.hsm_ca_file);
    const config = upsertCluster(readConfig(file), {
      ...entry,
      cluster: { ...entry.cluster, hsm_ca_file: caFile },
    });
    writeFileAtomic(file, JSON.stringify(config, null, 2) + '\n', 0o644);
    ctx.out(
      `Added ${clusterId} to ${file}; it now holds ${config.clusters.map((c) => c.cluster_id).join(', ')}.`,
    );
    ctx.err('cloudhsm-cli now needs --cluster-id (or interactive --cluster-id) to choose a cluster.');
    return 0;
  },
});
