// cluster activate: sets the initial admin password on every HSM of a new cluster.
import { displayName } from '../../../protocol/operations.js';
import { settleLogin } from '../../../cluster/operations.js';
import { verdict } from '../../../cluster/verdict.js';
import { INITIAL_ADMIN } from '../../../protocol/types.js';
import { CLUSTER_ID_OPTION, cliCommand, passwordFrom } from '../../context.js';

export const clusterActivateCommand = cliCommand({
  path: ['cluster', 'activate'],
  about: 'Activate a cluster',
  options: [
    CLUSTER_ID_OPTION,
    {
      long: 'password',
      value: 'PASSWORD',
      help: 'Optional: Plaintext activation password. If you do not include this argument, you will be prompted for it',
    },
  ],
  async run(options, ctx) {
    const password = await passwordFrom(options.string('password'), ctx.io, true);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    // An activated HSM compares no password. To repair a partial activation, the HSMs already activated
    // must first accept the password in an ordinary (counted, lock-out bound) admin login.
    const lists = await cluster.fanOut('user-list', {});
    const isActive = (o: (typeof lists)[number]) =>
      o.ok && o.value.users.some((u) => u.username === INITIAL_ADMIN && u.role === 'admin');
    const active = lists.filter(isActive).map((o) => o.connection);
    const pending = lists.filter((o) => !isActive(o)).map((o) => o.connection);
    if (active.length > 0 && pending.length > 0) {
      const login = { username: INITIAL_ADMIN, role: 'admin' as const, password };
      await settleLogin(cluster, await cluster.on(active, 'login', login), ctx.io.warn);
      await cluster.on(active, 'logout', {});
    }
    // Every HSM activated already: each refuses with `Cluster has already been activated`.
    const outcomes = await cluster.on(pending.length > 0 ? pending : active, 'cluster-activate', {
      password,
    });
    verdict(outcomes, 'all', {
      operation: displayName('cluster-activate'),
      clusterId: cluster.entry.clusterId,
      warn: ctx.io.warn,
    });
    return 'Cluster activation successful';
  },
});
