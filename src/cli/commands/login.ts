// login: authenticates on every HSM of the cluster with a username, role and password.
import { loginCluster } from '../../cluster/operations.js';
import { checkBeforeSecrets } from '../preconditions.js';
import { CLUSTER_ID_OPTION, cliCommand, ROLE_OPTION, passwordFrom, usernameOption } from '../context.js';

export const loginCommand = cliCommand({
  path: ['login'],
  about: 'Login to your cluster',
  options: [
    CLUSTER_ID_OPTION,
    usernameOption('Username to access the Cluster'),
    ROLE_OPTION,
    {
      long: 'password',
      value: 'PASSWORD',
      help: "Optional: Plaintext user's password. If you do not include this argument you will be prompted for it",
    },
  ],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    await checkBeforeSecrets(cluster, ctx.io, { op: 'login' });
    const password = await passwordFrom(options.string('password'), ctx.io, false);
    return loginCluster(
      cluster,
      { username: options.required('username'), role: options.required('role'), password },
      ctx.io.warn,
    );
  },
});
