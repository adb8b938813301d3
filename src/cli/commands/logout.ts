// logout: ends the login on every HSM of the cluster.
import { logoutCluster } from '../../cluster/operations.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../context.js';

export const logoutCommand = cliCommand({
  path: ['logout'],
  about: 'Logout of your cluster',
  // The documented help of logout (alone) lists -V, --version.
  version: true,
  needsLogin: true,
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    await logoutCluster(ctx.session.cluster(options.string('cluster-id')), ctx.io.warn);
    return 'Logout successful';
  },
});
