// cluster mtls get-enforcement: the mtls enforcement level of the cluster's HSMs.
import { getEnforcement } from '../../../../cluster/mtls.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

export const clusterMtlsGetEnforcementCommand = cliCommand({
  path: ['cluster', 'mtls', 'get-enforcement'],
  about: 'Get the enforcement level of mtls',
  needsLogin: true,
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const { level, coverage } = await getEnforcement(cluster, ctx.io.warn);
    return { 'mtls-enforcement-level': level, 'cluster-coverage': coverage };
  },
});
