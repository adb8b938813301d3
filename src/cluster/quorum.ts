// Client-side quorum flows over a cluster: tokens from every HSM, two-phase key registration, merged listings.
import crypto from 'node:crypto';
import { type OpArgs, type OpResult, displayName } from '../protocol/operations.js';
import type { AdminService, RegistrationEntry, TokenView } from '../protocol/quorum.js';
import type { ClusterClient, Outcome } from './cluster.js';
import { type Warn, printNodeWarnings, verdict } from './verdict.js';

/**
 * A new token's parts from the HSMs that answered, in config order (policy `reachable`): the token
 * can still be used on the others (operations needing approval will fail on the missing ones).
 */
function tokenParts<T>(outcomes: Outcome<T>[], operation: string, cluster: ClusterClient, warn: Warn): T[] {
  const values = verdict(outcomes, 'reachable', { operation, clusterId: cluster.entry.clusterId, warn }).map(
    (o) => o.value,
  );
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
  const records = tokenParts(outcomes, 'Quorum token generate', cluster, warn);
  return Buffer.concat(records.map((r) => Buffer.from(r.record, 'base64')));
}

/**
 * The registration token of the cluster: one entry whose approval_data is every HSM's record in config
 * order (the guide's file has a single entry for a cluster of two HSMs), so one signature registers
 * the key on every HSM.
 */
export async function generateRegistrationToken(
  cluster: ClusterClient,
  warn: Warn,
): Promise<{ approvalData: string; unsigned: string }> {
  const outcomes = await cluster.fanOut('quorum-register-start', {});
  const parts = tokenParts(outcomes, 'Quorum token generate', cluster, warn);
  const data = Buffer.concat(parts.map((p) => Buffer.from(p.approvalData, 'base64')));
  return {
    approvalData: data.toString('base64'),
    unsigned: crypto.createHash('sha256').update(data).digest('base64'),
  };
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
  const context = {
    operation: displayName('quorum-register-finish'),
    clusterId: cluster.entry.clusterId,
    warn,
  };
  const verify = await cluster.fanOut('quorum-register-finish', { publicKey, tokens, commit: false });
  verdict(verify, 'before-change', context);
  const commit = await cluster.fanOut('quorum-register-finish', { publicKey, tokens, commit: true });
  const results = verdict(commit, 'all', context);
  const { alreadyInEffect: _ignored, ...result } = results[0]!.value;
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
  const operation = 'Quorum token list';
  const answers = verdict(outcomes, 'any', { operation, clusterId: cluster.entry.clusterId, warn });
  return mergeTokenLists(answers.map((o) => o.value.tokens));
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
  const values = verdict(outcomes, 'any', { operation, clusterId: cluster.entry.clusterId, warn }).map(
    (o) => o.value,
  );
  return mergeSettings(values as (OpResult<O> & Record<string, number | boolean>)[]) as never;
}

/** A quorum setting change on every HSM (all must succeed; a partial failure is reported as such). */
export async function changeSettingEverywhere<
  O extends 'quorum-set-value' | 'quorum-set-timeout' | 'quorum-set-policy' | 'quorum-delete',
>(cluster: ClusterClient, op: O, args: OpArgs<O>, operation: string, warn: Warn): Promise<OpResult<O>[]> {
  const outcomes = await cluster.fanOut(op, args);
  const results = verdict(outcomes, 'all', { operation, clusterId: cluster.entry.clusterId, warn }).map(
    (o) => o.value,
  );
  printNodeWarnings(results as { warning?: string }[], warn);
  return results;
}
