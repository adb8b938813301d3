// Client-side quorum flows over a cluster: tokens from every HSM, two-phase key registration, merged listings.
import { HsmError } from '../errors.js';
import type { OpArgs, OpResult } from '../protocol/operations.js';
import type { AdminService, RegistrationEntry, TokenView } from '../protocol/quorum.js';
import { type ClusterClient, type Outcome, describeFailures, requireAll } from './cluster.js';
import type { Warn } from './operations.js';

/**
 * The answers of the HSMs that answered, in config order. A refusal by any HSM fails the whole
 * command (as requireAll does); HSMs that did not answer are only warned about, since the token
 * can still be used on the others (operations needing approval will fail on the missing ones).
 */
function answered<T>(outcomes: Outcome<T>[], operation: string, cluster: ClusterClient, warn: Warn): T[] {
  for (const line of describeFailures(outcomes)) warn(line);
  const refused = outcomes.some((o) => !o.ok && o.error instanceof HsmError);
  if (refused || outcomes.every((o) => !o.ok)) requireAll(outcomes, operation, cluster.entry.clusterId);
  const values = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  if (values.length < outcomes.length) {
    warn(
      `warning: the token covers ${values.length} of ${outcomes.length} HSMs; the others did not answer and will not accept it`,
    );
  }
  return values;
}

/** approval_data of a new admin-service token: the records of every HSM, concatenated in config order. */
export async function generateApprovalData(
  cluster: ClusterClient,
  service: AdminService,
  warn: Warn,
): Promise<Buffer> {
  const outcomes = await cluster.fanOut('quorum-generate', { service });
  const records = answered(outcomes, 'Quorum token generate', cluster, warn);
  return Buffer.concat(records.map((r) => Buffer.from(r.record, 'base64')));
}

/** One registration token per HSM, in config order. */
export async function generateRegistrationTokens(
  cluster: ClusterClient,
  warn: Warn,
): Promise<OpResult<'quorum-register-start'>[]> {
  const outcomes = await cluster.fanOut('quorum-register-start', {});
  return answered(outcomes, 'Quorum token generate', cluster, warn);
}

/**
 * Registers the logged-in user's quorum key: every HSM first verifies its own signed token (no
 * change anywhere if one refuses or does not answer), then every HSM registers.
 */
export async function registerQuorumKey(
  cluster: ClusterClient,
  publicKey: string,
  tokens: RegistrationEntry[],
  warn: Warn,
): Promise<OpResult<'quorum-register-finish'>> {
  const verify = await cluster.fanOut('quorum-register-finish', { publicKey, tokens, commit: false });
  for (const line of describeFailures(verify)) warn(line);
  if (verify.some((o) => !o.ok) && verify.some((o) => o.ok)) warn('warning: no HSM was changed');
  requireAll(verify, 'User change quorum', cluster.entry.clusterId);
  const commit = await cluster.fanOut('quorum-register-finish', { publicKey, tokens, commit: true });
  for (const line of describeFailures(commit)) warn(line);
  const results = requireAll(commit, 'User change quorum', cluster.entry.clusterId);
  const { alreadyInEffect: _ignored, ...result } = results[0]!;
  return result;
}

export interface TokenRow {
  username: string;
  service: AdminService;
  'approvals-required': number | 'inconsistent';
  'number-of-approvals': number;
  'token-timeout-seconds': number;
  'cluster-coverage': 'full' | 'inconsistent';
}

/**
 * `quorum token-sign list` rows: one per user and service (an HSM holds at most one such token).
 * Flat numbers as on the current command page; the fewest approvals and the least time left when
 * HSMs differ.
 */
export function mergeTokenLists(perHsm: readonly (readonly TokenView[])[]): TokenRow[] {
  const order: string[] = [];
  const views = new Map<string, TokenView[]>();
  for (const list of perHsm) {
    for (const t of list) {
      const key = `${t.username}\u0000${t.service}`;
      let seen = views.get(key);
      if (!seen) (views.set(key, (seen = [])), order.push(key));
      seen.push(t);
    }
  }
  return order.map((key) => {
    const seen = views.get(key)!;
    const first = seen[0]!;
    return {
      username: first.username,
      service: first.service,
      'approvals-required': seen.every((t) => t.approvalsRequired === first.approvalsRequired)
        ? first.approvalsRequired
        : 'inconsistent',
      'number-of-approvals': Math.min(...seen.map((t) => t.approvals)),
      'token-timeout-seconds': Math.min(...seen.map((t) => t.remainingSeconds)),
      'cluster-coverage': seen.length === perHsm.length ? 'full' : 'inconsistent',
    };
  });
}

export async function listTokens(cluster: ClusterClient, warn: Warn): Promise<TokenRow[]> {
  const outcomes = await cluster.fanOut('quorum-list', {});
  for (const line of describeFailures(outcomes)) warn(line);
  const lists = outcomes.flatMap((o) => (o.ok ? [o.value.tokens] : []));
  if (lists.length === 0) requireAll(outcomes, 'Quorum token list', cluster.entry.clusterId);
  return mergeTokenLists(lists);
}

/** Each member's value where every answering HSM agrees, else "inconsistent" (as `user list` does). */
export function mergeSettings<T extends Record<string, number | boolean>>(
  perHsm: readonly T[],
): { [K in keyof T]: T[K] | 'inconsistent' } {
  const first = perHsm[0]!;
  return Object.fromEntries(
    Object.keys(first).map((k) => [k, perHsm.every((h) => h[k] === first[k]) ? first[k] : 'inconsistent']),
  ) as { [K in keyof T]: T[K] | 'inconsistent' };
}

/** A read-only setting from every HSM that answers, merged. */
export async function readSettings<
  O extends 'quorum-list-values' | 'quorum-list-timeouts' | 'quorum-get-policy',
>(
  cluster: ClusterClient,
  op: O,
  operation: string,
  warn: Warn,
): Promise<{ [K in keyof OpResult<O>]: OpResult<O>[K] | 'inconsistent' }> {
  const outcomes = (await cluster.fanOut(op, {} as OpArgs<O>)) as Outcome<OpResult<O>>[];
  for (const line of describeFailures(outcomes)) warn(line);
  const values = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  if (values.length === 0) requireAll(outcomes, operation, cluster.entry.clusterId);
  return mergeSettings(values as (OpResult<O> & Record<string, number | boolean>)[]) as never;
}

/** A quorum setting change on every HSM (all must succeed; a partial failure is reported as such). */
export async function changeSettingEverywhere<
  O extends 'quorum-set-value' | 'quorum-set-timeout' | 'quorum-set-policy' | 'quorum-delete',
>(cluster: ClusterClient, op: O, args: OpArgs<O>, operation: string, warn: Warn): Promise<OpResult<O>[]> {
  const outcomes = await cluster.fanOut(op, args);
  for (const line of describeFailures(outcomes)) warn(line);
  return requireAll(outcomes, operation, cluster.entry.clusterId);
}
