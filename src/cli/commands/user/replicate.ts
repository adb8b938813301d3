// user replicate: copies a user (password hash, MFA and quorum keys) from a cluster to its clone.
import type { ClusterClient } from '../../../cluster/cluster.js';
import { listUsers } from '../../../cluster/operations.js';
import { type Warn, verdict } from '../../../cluster/verdict.js';
import { HsmError } from '../../../errors.js';
import { displayName } from '../../../protocol/operations.js';
import type { LoginRole } from '../../../protocol/types.js';
import {
  REPLICATE_CLUSTERS,
  ROLE_OPTION,
  cliCommand,
  replicateClusters,
  usernameOption,
} from '../../context.js';

const OPERATION = displayName('user-replicate-import');

export const userReplicateCommand = cliCommand({
  path: ['user', 'replicate'],
  about: 'Replicate a user from a source to a destination cluster',
  needsLogin: true,
  // Spec §1.3: the destination's login comes from DESTINATION_CLOUDHSM_ROLE / DESTINATION_CLOUDHSM_PIN.
  envLogins: REPLICATE_CLUSTERS.envLogins,
  options: [usernameOption('Username of the user to replicate'), ROLE_OPTION, ...REPLICATE_CLUSTERS.options],
  examples: [
    'user replicate --username example_admin --role admin --source-cluster-id cluster-1234567 --destination-cluster-id cluster-2345678',
  ],
  async run(options, ctx) {
    const { source, destination } = replicateClusters(options, ctx.session);
    const username = options.required('username').toLowerCase();
    const role = options.required('role') as LoginRole;
    await replicate(source, destination, { username, role }, ctx.io.warn);
    const row = (await listUsers(destination, ctx.io.warn)).find((u) => u.username === username);
    return { user: row, message: 'Successfully replicated user' };
  },
});

/**
 * The destination HSMs issue challenges, every source HSM seals the user to them (their keyed digests must
 * agree, else the user is inconsistent on the source), then each destination HSM opens its own seal. HSMs of
 * the destination that already hold the user (a re-run after a partial replicate) are left as they are.
 */
async function replicate(
  source: ClusterClient,
  destination: ClusterClient,
  user: { username: string; role: LoginRole },
  warn: Warn,
): Promise<void> {
  const onDestination = { operation: OPERATION, clusterId: destination.entry.clusterId, warn };
  const asked = await destination.fanOut('user-replicate-challenge', user);
  const exists = (o: (typeof asked)[number]) =>
    !o.ok && o.error instanceof HsmError && o.error.code === 'ERR_USER_EXISTS';
  const open = asked.filter((o) => !exists(o));
  if (open.length === 0) throw new HsmError('ERR_USER_EXISTS', { username: user.username });
  const issued = verdict(open, 'before-change', onDestination);
  const exported = verdict(
    await source.fanOut('user-replicate-export', {
      ...user,
      destinationClusterId: destination.entry.clusterId,
      challenges: issued.map((o) => o.value.challenge),
    }),
    'before-change',
    { operation: OPERATION, clusterId: source.entry.clusterId, warn },
  );
  if (new Set(exported.map((o) => o.value.digest)).size > 1) throw new HsmError('ERR_USER_INCONSISTENT');
  const { sealed } = exported[0]!.value;
  const imported = await destination.on(
    issued.map((o) => o.connection),
    'user-replicate-import',
    (_connection, i) => ({ ...user, challenge: issued[i]!.value.challenge, sealed: sealed[i]! }),
  );
  verdict(imported, 'all', onDestination);
}
