// Client-side key flows over a cluster: resolve a filter to one key, create and copy keys, list with coverage, change everywhere.
import { HsmError } from '../errors.js';
import {
  OPERATIONS,
  type OpArgs,
  type OpResult,
  type OperationName,
  displayName,
} from '../protocol/operations.js';
import type { KeyView } from '../protocol/keys.js';
import type { ClusterClient, Outcome } from './cluster.js';
import { type HsmConnection, UnreachableError } from './connection.js';
import { type KeyObject, type KeySummary, mergeKey, summarizeKey } from './key-objects.js';
import { type Warn, verdict } from './verdict.js';

/** How to turn the availability check off, printed on stderr with its error. */
export const AVAILABILITY_HINT =
  'hint: a token key must be on at least 2 HSMs; add an HSM (localhsm hsm add) or turn the check off with ' +
  'configure-cli --disable-key-availability-check (writes "disable_key_availability_check": true in the cfg)';

function availabilityError(warn: Warn): HsmError {
  warn(AVAILABILITY_HINT);
  return new HsmError('ERR_KEY_AVAILABILITY');
}

const ctx = (cluster: ClusterClient, op: OperationName, warn: Warn) => ({
  operation: displayName(op),
  clusterId: cluster.entry.clusterId,
  warn,
});

/** The one key a single-key command's filter selects, and the HSMs that hold it. */
export interface ResolvedKey {
  ref: string;
  session: boolean;
  holders: HsmConnection[];
}

export async function resolveKey(
  cluster: ClusterClient,
  filter: readonly string[],
  warn: Warn,
  opts: { check?: boolean } = {},
): Promise<ResolvedKey> {
  const outcomes = await cluster.fanOut('key-list', {
    filter: [...filter],
    maxItems: 2,
    offset: 0,
    verbose: false,
  });
  const answers = verdict(outcomes, 'reachable', ctx(cluster, 'key-list', warn));
  const most = Math.max(0, ...answers.map((a) => a.value.total));
  if (most !== 1) throw new HsmError('ERR_KEY_SELECTION', { count: most });
  // The key most HSMs agree on (they differ only while a key is out of sync).
  const votes = new Map<string, { view: KeyView; holders: HsmConnection[] }>();
  for (const a of answers) {
    if (a.value.total !== 1) continue;
    const view = a.value.keys[0]!;
    const entry = votes.get(view.ref) ?? { view, holders: [] };
    entry.holders.push(a.connection);
    votes.set(view.ref, entry);
  }
  const best = [...votes.values()].sort((x, y) => y.holders.length - x.holders.length)[0]!;
  if ((opts.check ?? cluster.entry.keyAvailabilityCheck) && !best.view.session && best.holders.length < 2)
    throw availabilityError(warn);
  return { ref: best.view.ref, session: best.view.session, holders: best.holders };
}

/**
 * Runs `op` on the first of `connections` that answers (an HSM's refusal is the answer). An operation that
 * changes nothing goes to the least busy first, so that with several requests in flight (the library API)
 * signatures spread over the HSMs that hold the key; one that creates keys stays in order, so that concurrent
 * creations take their references from one HSM's counter (each HSM hands out its own).
 */
export async function onOne<O extends OperationName>(
  connections: readonly HsmConnection[],
  op: O,
  args: OpArgs<O>,
): Promise<{ connection: HsmConnection; value: OpResult<O> }> {
  let last: UnreachableError | undefined;
  // A stable sort: one request at a time goes to the first HSM, as before.
  const order = OPERATIONS[op].writes
    ? connections
    : [...connections].sort((a, b) => a.inFlight - b.inFlight);
  for (const connection of order) {
    try {
      return { connection, value: await connection.call(op, args) };
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      last = error;
    }
  }
  throw last ?? new HsmError('ERR_STATE', { detail: 'no HSM holds the key' });
}

/**
 * Creates keys on one HSM and, for token keys, copies them (sealed) to every other HSM as part of the create.
 * With the availability check on, a token key that fewer than 2 HSMs hold is deleted again and refused.
 */
export async function createKeys(
  cluster: ClusterClient,
  op: 'key-generate' | 'key-import' | 'key-unwrap',
  args: OpArgs<'key-generate'> | OpArgs<'key-import'> | OpArgs<'key-unwrap'>,
  warn: Warn,
  on: readonly HsmConnection[] = cluster.connections,
): Promise<KeyObject[]> {
  const token = !(op !== 'key-import' && (args as OpArgs<'key-generate' | 'key-unwrap'>).session);
  const check = cluster.entry.keyAvailabilityCheck && token;
  if (check && cluster.size < 2) throw availabilityError(warn);
  // `on`: the HSMs that can create it (an unwrap runs where its unwrapping key is).
  const created = await onOne(on, op, args as never);
  const result = created.value as OpResult<'key-generate'>;
  const others = cluster.connections.filter((c) => c !== created.connection);
  // An unwrap with an approval: the other HSMs that hold the unwrapping key (and so a record of its token) take the
  // copy with the approval and use their record up, as an approved signature does on every HSM.
  const unwrap = op === 'key-unwrap' ? (args as OpArgs<'key-unwrap'>) : undefined;
  const consume = unwrap?.approval ? { unwrappingRef: unwrap.ref, approval: unwrap.approval } : undefined;
  let holders = [created.connection];
  if (token && others.length > 0) {
    const copied = new Set(others);
    for (const copy of result.copies) {
      const outcomes = await cluster.on([...copied], 'key-insert', (c) =>
        consume && on.includes(c) ? { copy, ...consume } : { copy },
      );
      for (const o of outcomes) if (!o.ok) copied.delete(o.connection);
      reportCopyFailures(outcomes, warn);
    }
    holders = [created.connection, ...others.filter((c) => copied.has(c))];
  }
  if (check && holders.length < 2) {
    for (const view of result.keys) await cluster.on(holders, 'key-delete', { ref: view.ref });
    throw availabilityError(warn);
  }
  return result.keys.map((view) => mergeKey(Array(holders.length).fill(view), cluster.size));
}

function reportCopyFailures(outcomes: readonly Outcome<unknown>[], warn: Warn): void {
  for (const o of outcomes)
    if (!o.ok)
      warn(
        o.error instanceof UnreachableError
          ? `warning: ${o.error.message}; the key is not on it`
          : `warning: HSM at ${o.connection.address} refused the key: ${o.error.message}`,
      );
}

export interface KeyListPage {
  matched_keys: (KeyObject | KeySummary)[];
  total_key_count: number;
  returned_key_count: number;
  next_token?: string;
}

/** `key list`: each HSM's page merged by reference, with coverage over every HSM of the cluster. */
export async function listKeys(
  cluster: ClusterClient,
  query: { filter: readonly string[]; maxItems: number; offset: number; verbose: boolean },
  warn: Warn,
): Promise<KeyListPage> {
  const outcomes = await cluster.fanOut('key-list', { ...query, filter: [...query.filter] });
  const answers = verdict(outcomes, 'reachable', ctx(cluster, 'key-list', warn));
  const byRef = new Map<string, KeyView[]>();
  for (const a of answers)
    for (const view of a.value.keys) byRef.set(view.ref, [...(byRef.get(view.ref) ?? []), view]);
  const refs = [...byRef.keys()].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0));
  const page = refs.slice(0, query.maxItems).map((ref) => byRef.get(ref)!);
  if (cluster.entry.keyAvailabilityCheck && page.some((views) => !views[0]!.session && views.length < 2))
    throw availabilityError(warn);
  const total = Math.max(0, ...answers.map((a) => a.value.total));
  const returned = page.length;
  const out: KeyListPage = {
    matched_keys: page.map((views) =>
      query.verbose && views[0]!.attributes ? mergeKey(views, cluster.size) : summarizeKey(views[0]!),
    ),
    total_key_count: total,
    returned_key_count: returned,
  };
  if (query.offset + returned < total) out.next_token = String(query.offset + returned);
  return out;
}

/** A change to one key on the HSMs that should hold it: every HSM for a token key, its own HSM for a session key. */
export async function changeKey<O extends 'key-delete' | 'key-share' | 'key-unshare' | 'key-set-attribute'>(
  cluster: ClusterClient,
  key: ResolvedKey,
  op: O,
  args: OpArgs<O>,
  warn: Warn,
): Promise<OpResult<O>[]> {
  const targets = key.session ? key.holders : cluster.connections;
  const outcomes = await cluster.on(targets, op, args);
  return verdict(outcomes, 'all', ctx(cluster, op, warn)).map((a) => a.value as OpResult<O>);
}

/**
 * A session key just made a token key (`set-attribute --name token --value true`) on its HSM: its sealed copy
 * goes to every other HSM, as a created token key's does. An HSM that misses it gets it from server-side sync.
 */
export async function copyPromotedKey(
  cluster: ClusterClient,
  key: ResolvedKey,
  copy: string,
  warn: Warn,
): Promise<void> {
  const others = cluster.connections.filter((c) => !key.holders.includes(c));
  if (others.length > 0) reportCopyFailures(await cluster.on(others, 'key-insert', { copy }), warn);
}

/** The availability check before a session key becomes a token key: as for creating one, at least 2 HSMs. */
export function checkPromotion(cluster: ClusterClient, warn: Warn): void {
  if (cluster.entry.keyAvailabilityCheck && cluster.size < 2) throw availabilityError(warn);
}
