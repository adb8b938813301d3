// user create: an admin creates an admin or crypto user on every HSM.
import type { ClusterClient } from '../../../cluster/cluster.js';
import { type Warn, verdict } from '../../../cluster/verdict.js';
import { displayName } from '../../../protocol/operations.js';
import { HsmError } from '../../../errors.js';
import type { OpArgs, OpResult } from '../../../protocol/operations.js';
import { approvalFrom, withApprovalHints } from '../../quorum.js';
import { checkBeforeSecrets } from '../../preconditions.js';
import {
  APPROVAL_OPTION,
  CLUSTER_ID_OPTION,
  cliCommand,
  ROLE_OPTION,
  passwordFrom,
  usernameOption,
} from '../../context.js';

export const userCreateCommand = cliCommand({
  path: ['user', 'create'],
  about: 'Create a new user',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    usernameOption('Username to access the HSM'),
    { ...ROLE_OPTION, help: 'Role the user operates as' },
    {
      long: 'password',
      value: 'PASSWORD',
      help: "Optional: Plaintext user's password. If you do not include this argument you will be prompted for it",
    },
    APPROVAL_OPTION,
  ],
  async run(options, ctx) {
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const username = options.required('username');
    const role = options.required('role');
    await checkBeforeSecrets(cluster, ctx.io, {
      op: 'user-create',
      target: { username, role },
      userQuorum: 'always',
      approval,
    });
    const password = await passwordFrom(options.string('password'), ctx.io, true);
    return withApprovalHints(ctx.io, () =>
      createEverywhere(cluster, { username, role, password, ...(approval ? { approval } : {}) }, ctx.io.warn),
    );
  },
});

/**
 * Creates the user on every HSM. An HSM that already holds the user refuses without comparing any
 * password; when the others created it now (a re-run after a partial failure), an HSM whose existing
 * user has the role asked for counts as done (its password is left as it was: nothing may tell whether
 * it is the given one). Every HSM refusing gives `User x already exists`.
 */
async function createEverywhere(
  cluster: ClusterClient,
  args: OpArgs<'user-create'>,
  warn: Warn,
): Promise<OpResult<'user-create'>> {
  const outcomes = await cluster.fanOut('user-create', args);
  const exists = (o: (typeof outcomes)[number]) =>
    !o.ok && o.error instanceof HsmError && o.error.code === 'ERR_USER_EXISTS';
  const created = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  const existing = outcomes.filter(exists).map((o) => o.connection);
  if (created.length > 0 && existing.length > 0 && created.length + existing.length === outcomes.length) {
    const username = args.username.toLowerCase();
    const lists = await cluster.on(existing, 'user-list', {});
    const sameRole = lists.every(
      (l) => l.ok && l.value.users.some((u) => u.username === username && u.role === args.role),
    );
    if (sameRole) return created[0]!;
  }
  const operation = displayName('user-create');
  return verdict(outcomes, 'all', { operation, clusterId: cluster.entry.clusterId, warn })[0]!.value;
}
