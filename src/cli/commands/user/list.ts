// user list: every user of the cluster with role, lock, MFA and quorum status and coverage (no login needed).
import { listUsers } from '../../../cluster/operations.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../context.js';

export const userListCommand = cliCommand({
  path: ['user', 'list'],
  about: 'List the users in your cluster',
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    return { users: await listUsers(ctx.session.cluster(options.string('cluster-id')), ctx.io.warn) };
  },
});
