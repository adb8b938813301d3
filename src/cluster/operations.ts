// Client-side flows over a cluster: login on every HSM (all or none), changes fanned out, lists merged.
import type { HsmError } from '../errors.js';
import { type OpArgs, type OpResult, displayName } from '../protocol/operations.js';
import type { LoginRole } from '../protocol/types.js';
import type { ClusterClient, Outcome } from './cluster.js';
import { type UserRow, mergeUserLists } from './user-list.js';
import { type Warn, printNodeWarnings, verdict } from './verdict.js';

/**
 * Logs in on every reachable HSM. If any HSM refuses, the HSMs that accepted are logged out again
 * (no half-logged-in cluster) and the refusal is reported; unreachable HSMs only produce a warning.
 */
export async function loginCluster(
  cluster: ClusterClient,
  args: OpArgs<'login'>,
  warn: Warn,
): Promise<{ username: string; role: LoginRole }> {
  const outcomes = await cluster.fanOut('login', args);
  return settleLogin(cluster, outcomes, warn);
}

/** The verdict on a login fan-out (also MFA login's commit): on a refusal, no HSM stays logged in. */
export async function settleLogin(
  cluster: ClusterClient,
  outcomes: Outcome<OpResult<'login'>>[],
  warn: Warn,
): Promise<{ username: string; role: LoginRole }> {
  try {
    return verdict(outcomes, 'login', {
      operation: displayName('login'),
      clusterId: cluster.entry.clusterId,
      warn,
    })[0]!.value;
  } catch (error) {
    await cluster.on(
      outcomes.flatMap((o) => (o.ok ? [o.connection] : [])),
      'logout',
      {},
    );
    throw error;
  }
}

export async function logoutCluster(cluster: ClusterClient, warn: Warn): Promise<void> {
  const outcomes = await cluster.fanOut('logout', {});
  verdict(outcomes, 'all', { operation: displayName('logout'), clusterId: cluster.entry.clusterId, warn });
}

/**
 * A user change on every HSM. HSMs that were already in the requested state (a re-run after a
 * partial failure) count as done; if every HSM already was, `unchanged` is the error to report.
 */
type ChangeOperation = 'user-create' | 'user-delete' | 'user-change-password';

export async function changeEverywhere<O extends ChangeOperation>(
  cluster: ClusterClient,
  op: O,
  args: OpArgs<O>,
  operation: string,
  warn: Warn,
  unchanged?: HsmError,
): Promise<OpResult<O>> {
  const outcomes = await cluster.fanOut(op, args);
  const results = verdict(outcomes, 'all', { operation, clusterId: cluster.entry.clusterId, warn }).map(
    (o) => o.value,
  );
  if (unchanged && results.every((r) => r.alreadyInEffect)) throw unchanged;
  printNodeWarnings(results as { warning?: string }[], warn);
  const {
    alreadyInEffect: _ignored,
    warning: _printed,
    ...result
  } = results[0]! as OpResult<ChangeOperation> & {
    warning?: string;
  };
  return result as OpResult<O>;
}

/** `user list` from every HSM that answers; the others are named on stderr. */
export async function listUsers(cluster: ClusterClient, warn: Warn): Promise<UserRow[]> {
  const outcomes = await cluster.fanOut('user-list', {});
  const answers = verdict(outcomes, 'any', {
    operation: displayName('user-list'),
    clusterId: cluster.entry.clusterId,
    warn,
  });
  return mergeUserLists(answers.map((o) => o.value.users));
}
