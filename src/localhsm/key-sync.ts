// Server-side key sync (spec §14.1), the appliance user's mover: lists the token keys (with their versions) and
// deletions of every HSM of the cluster and carries sealed copies of missing or outdated keys (and the deletions) to
// the HSMs that lack them. It proves itself with the masking key and never opens a copy. Run by each node
// periodically and by `localhsm hsm sync`.
import fs from 'node:fs';
import { HsmConnection } from '../cluster/connection.js';
import { type ClusterManifest, paths } from '../cluster/state-dir.js';
import { applianceMessage } from '../hsm/keys/appliance.js';
import type { Masking } from '../hsm/keys/masking.js';
import { readMaskingKey } from '../hsm/keys/masking-file.js';
import { parseRef } from '../hsm/keys/record.js';
import { applianceClientCertificate } from './appliance-tls.js';
import { type KeyState, newerState } from '../hsm/keys/version.js';

/** Seconds between two runs of a node's sync job (CloudHSM's interval is undocumented; the issue asks ≤ 30 s). */
export const DEFAULT_KEY_SYNC_SECONDS = 30;

const COPY_BATCH = 64;

export interface KeySyncReport {
  copied: number;
  /** Keys replaced by a newer version (attributes, shares changed while an HSM was away). */
  updated: number;
  deleted: number;
  /** HSMs that did not answer (they catch up on a later run). */
  unreachable: string[];
  /** References under which two HSMs hold different keys: left alone, reported. */
  conflicts: number[];
}

export interface SyncMember {
  id: string;
  connection: Pick<HsmConnection, 'call'>;
}

/**
 * One pass of the mover over `members`; only the HSMs named in `into` receive (all when absent). A reference
 * deleted on any HSM is deleted everywhere and never copied again (tombstones).
 */
export async function syncKeys(
  members: readonly SyncMember[],
  masking: Masking,
  into?: readonly string[],
): Promise<KeySyncReport> {
  const report: KeySyncReport = { copied: 0, updated: 0, deleted: 0, unreachable: [], conflicts: [] };
  const listed: { member: SyncMember; refs: Map<number, KeyState>; tombstones: Set<number> }[] = [];
  for (const member of members) {
    try {
      const proof = masking.applianceProof(applianceMessage('key-sync-list', member.id, {}));
      const inventory = await member.connection.call('key-sync-list', { proof });
      const refs = new Map(
        inventory.refs.map((ref, i) => [
          ref,
          { version: inventory.versions[i] ?? 0, digest: inventory.digests[i] ?? '' },
        ]),
      );
      listed.push({ member, refs, tombstones: new Set(inventory.tombstones) });
    } catch {
      report.unreachable.push(member.id);
    }
  }
  const tombstones = new Set(listed.flatMap((l) => [...l.tombstones]));
  // Each live key's latest version and an HSM that holds it: the copy every other HSM converges to.
  const holders = new Map<number, { member: SyncMember; state: KeyState }>();
  for (const l of listed)
    for (const [ref, state] of l.refs) {
      const best = holders.get(ref);
      if (!tombstones.has(ref) && (!best || newerState(state, best.state)))
        holders.set(ref, { member: l.member, state });
    }
  const copies = new Map<number, string>();
  for (const target of listed) {
    if (into && !into.includes(target.member.id)) continue;
    const deletions = [...tombstones].filter((ref) => !target.tombstones.has(ref)).sort((a, b) => a - b);
    const missing = [...holders].filter(([ref, best]) => {
      const held = target.refs.get(ref);
      return !held || newerState(best.state, held);
    });
    const wanted = missing.map(([ref]) => ref).sort((a, b) => a - b);
    if (deletions.length === 0 && missing.length === 0) continue;
    try {
      await fetchCopies(
        wanted.filter((ref) => !copies.has(ref)),
        holders,
        masking,
        copies,
      );
      const carried = wanted.flatMap((ref) => copies.get(ref) ?? []);
      for (let at = 0; at === 0 || at < carried.length; at += COPY_BATCH) {
        const args = { copies: carried.slice(at, at + COPY_BATCH), tombstones: at === 0 ? deletions : [] };
        const proof = masking.applianceProof(applianceMessage('key-sync-apply', target.member.id, args));
        const result = await target.member.connection.call('key-sync-apply', { proof, ...args });
        report.copied += result.inserted;
        report.updated += result.updated;
        report.deleted += result.deleted;
        report.conflicts.push(...result.conflicts);
      }
    } catch {
      report.unreachable.push(target.member.id);
    }
  }
  return report;
}

/** Sealed copies of `refs`, each from an HSM that holds it, in batches. */
async function fetchCopies(
  refs: readonly number[],
  holders: Map<number, { member: SyncMember }>,
  masking: Masking,
  into: Map<number, string>,
): Promise<void> {
  const bySource = new Map<SyncMember, number[]>();
  for (const ref of refs) {
    const source = holders.get(ref)!.member;
    bySource.set(source, [...(bySource.get(source) ?? []), ref]);
  }
  for (const [source, wanted] of bySource)
    for (let at = 0; at < wanted.length; at += COPY_BATCH) {
      const args = { refs: wanted.slice(at, at + COPY_BATCH) };
      const proof = masking.applianceProof(applianceMessage('key-sync-copy', source.id, args));
      const { copies } = await source.connection.call('key-sync-copy', { proof, ...args });
      for (const copy of copies) into.set(parseRef(copy.slice(0, copy.indexOf('.')))!, copy);
    }
}

/** One pass over the cluster in the state directory `dir` (its manifest, CA and an HSM's masking key). */
export async function syncClusterKeys(
  dir: string,
  manifest: ClusterManifest,
  into?: readonly string[],
): Promise<KeySyncReport> {
  const masking = manifest.hsms
    .map((h) => readMaskingKey(paths(dir).hsm(h.id).dir))
    .find((m) => m !== undefined);
  if (!masking) return { copied: 0, updated: 0, deleted: 0, unreachable: [], conflicts: [] };
  const ca = fs.readFileSync(paths(dir).ca, 'utf8');
  // Under cluster mtls enforcement the nodes admit the appliance's client certificate (and no certificate-less peer).
  const client = await applianceClientCertificate(masking);
  const members = manifest.hsms.map((h) => ({
    id: h.id,
    connection: new HsmConnection({ hostname: h.host, port: h.port }, ca, client),
  }));
  try {
    return await syncKeys(members, masking, into);
  } finally {
    for (const m of members) m.connection.close();
  }
}
