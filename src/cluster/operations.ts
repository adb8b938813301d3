// Client-side flows over a cluster: login on every HSM (all or none), changes fanned out, lists merged.
import { HsmError } from '../errors.js';
import type { OpArgs, OpResult } from '../protocol/operations.js';
import type { LoginRole } from '../protocol/types.js';
import { type ClusterClient, type Outcome, describeFailures, requireAll } from './cluster.js';
import { type UserRow, mergeUserLists } from './user-list.js';

export type Warn = (line: string) => void;

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

export async function settleLogin(
  cluster: ClusterClient,
  outcomes: Outcome<OpResult<'login'>>[],
  warn: Warn,
): Promise<{ username: string; role: LoginRole }> {
  const accepted = outcomes.flatMap((o) => (o.ok ? [o] : []));
  const refusals = outcomes.flatMap((o) => (!o.ok && o.error instanceof HsmError ? [o.error] : []));
  if (refusals.length > 0) {
    // Which HSMs refused and why (e.g. locked on some only); nothing when all refused alike.
    for (const line of describeFailures(outcomes)) warn(line);
    await cluster.on(
      accepted.map((o) => o.connection),
      'logout',
      {},
    );
    if (accepted.length === 0) throw refusals[0];
    throw new HsmError('ERR_PARTIAL_FAILURE', {
      operation: 'Login',
      failed: outcomes.length - accepted.length,
      total: outcomes.length,
    });
  }
  if (accepted.length === 0) requireAll(outcomes, 'Login', cluster.entry.clusterId);
  for (const line of describeFailures(outcomes)) warn(line);
  return accepted[0]!.value;
}

export async function logoutCluster(cluster: ClusterClient, warn: Warn): Promise<void> {
  const outcomes = await cluster.fanOut('logout', {});
  for (const line of describeFailures(outcomes)) warn(line);
  requireAll(outcomes, 'Logout', cluster.entry.clusterId);
}

/**
 * A user change on every HSM. HSMs that were already in the requested state (a re-run after a
 * partial failure) count as done; if every HSM already was, `unchanged` is the error to report.
 */
type ChangeOperation = 'cluster-activate' | 'user-create' | 'user-delete' | 'user-change-password';

export async function changeEverywhere<O extends ChangeOperation>(
  cluster: ClusterClient,
  op: O,
  args: OpArgs<O>,
  operation: string,
  warn: Warn,
  unchanged?: HsmError,
): Promise<OpResult<O>> {
  const outcomes = await cluster.fanOut(op, args);
  for (const line of describeFailures(outcomes)) warn(line);
  const results = requireAll(outcomes, operation, cluster.entry.clusterId);
  if (unchanged && results.every((r) => r.alreadyInEffect)) throw unchanged;
  const { alreadyInEffect: _ignored, ...result } = results[0]! as OpResult<ChangeOperation>;
  return result as OpResult<O>;
}

/** `user list` from every HSM that answers; the others are named on stderr. */
export async function listUsers(cluster: ClusterClient, warn: Warn): Promise<UserRow[]> {
  const outcomes = await cluster.fanOut('user-list', {});
  for (const line of describeFailures(outcomes)) warn(line);
  const answered = outcomes.flatMap((o) => (o.ok ? [o.value.users] : []));
  if (answered.length === 0) requireAll(outcomes, 'User list', cluster.entry.clusterId);
  return mergeUserLists(answered);
}
