// configure-cli remove-cluster: removes a cluster's entry from the config file (its HSMs are not touched).
import { readRawConfig, writeRawConfig } from '../../cluster/config-edit.js';
import { HsmError } from '../../errors.js';
import { configureCommand } from '../context.js';

export const removeClusterCommand = configureCommand({
  path: ['remove-cluster'],
  about: 'Remove a cluster from the configuration file',
  options: [
    { long: 'cluster-id', value: 'CLUSTER_ID', required: true, help: 'The id of the cluster to remove' },
  ],
  examples: ['configure-cli remove-cluster --cluster-id cluster-abcdefghijk'],
  async run(options, ctx) {
    const clusterId = options.required('cluster-id');
    const file = ctx.config.file;
    const config = readRawConfig(file);
    const index = config.clusters.findIndex((c) => c.cluster_id === clusterId);
    if (index === -1) throw new HsmError('ERR_UNKNOWN_CLUSTER', { cluster: clusterId, file });
    // cloudhsm-cli cannot read a file without a cluster.
    if (config.clusters.length === 1)
      throw new HsmError('ERR_STATE', {
        detail: `cluster ${clusterId} is the only cluster of ${file}; nothing was removed`,
      });
    config.clusters.splice(index, 1);
    writeRawConfig(file, config);
    return 0;
  },
});
