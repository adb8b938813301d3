// login: authenticates on every HSM of the cluster with a username, role and password.
import { loginCluster } from '../../cluster/operations.js';
import { checkBeforeSecrets } from '../preconditions.js';
import type { ClusterClient } from '../../cluster/cluster.js';
import { HsmError } from '../../errors.js';
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
    try {
      return await loginCluster(
        cluster,
        { username: options.required('username'), role: options.required('role'), password },
        ctx.io.warn,
      );
    } catch (error) {
      if (error instanceof HsmError && error.code === 'ERR_LOGIN_FAILED' && (await noneActivated(cluster)))
        ctx.io.warn('hint: the cluster is not activated yet: run cluster activate');
      throw error;
    }
  },
});

/** Whether every HSM says it is not activated (public: `hsm-info` needs no login and names no user). */
async function noneActivated(cluster: ClusterClient): Promise<boolean> {
  const infos = await cluster.fanOut('hsm-info', {});
  return infos.length > 0 && infos.every((i) => i.ok && !i.value.activated);
}
