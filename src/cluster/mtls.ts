// Client-side cluster mtls flows: trust anchor and enforcement changes fanned out to every HSM, answers merged.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import type { MtlsEnforcementLevel, TrustAnchor } from '../protocol/mtls.js';
import { type OpArgs, displayName } from '../protocol/operations.js';
import type { ClusterClient } from './cluster.js';
import { type Warn, verdict } from './verdict.js';

export type Coverage = 'full' | 'inconsistent';

/** One trust anchor as `cluster mtls` prints it. */
export interface TrustAnchorRow {
  'certificate-reference': string;
  certificate: string;
  'cluster-coverage': Coverage;
}

const context = (cluster: ClusterClient, op: Parameters<typeof displayName>[0], warn: Warn) => ({
  operation: displayName(op),
  clusterId: cluster.entry.clusterId,
  warn,
});

/** Registers on every HSM; HSMs that already hold it count as done, and if every HSM did, it is a duplicate. */
export async function registerTrustAnchor(
  cluster: ClusterClient,
  args: OpArgs<'mtls-register-trust-anchor'>,
  warn: Warn,
): Promise<TrustAnchorRow> {
  const outcomes = await cluster.fanOut('mtls-register-trust-anchor', args);
  const results = verdict(outcomes, 'all', context(cluster, 'mtls-register-trust-anchor', warn)).map(
    (o) => o.value,
  );
  const first = results[0]!;
  if (results.every((r) => r.alreadyInEffect))
    throw new HsmError('ERR_MTLS_ANCHOR_EXISTS', { reference: first.reference });
  const sameReference = results.every((r) => r.reference === first.reference);
  return row(first, sameReference ? 'full' : 'inconsistent');
}

/** Deregisters on every HSM; if no HSM held the reference, the reference is unknown. */
export async function deregisterTrustAnchor(
  cluster: ClusterClient,
  args: OpArgs<'mtls-deregister-trust-anchor'>,
  reference: string,
  warn: Warn,
): Promise<void> {
  const outcomes = await cluster.fanOut('mtls-deregister-trust-anchor', args);
  const results = verdict(outcomes, 'all', context(cluster, 'mtls-deregister-trust-anchor', warn));
  if (results.every((r) => r.value.alreadyInEffect))
    throw new HsmError('ERR_MTLS_ANCHOR_NOT_FOUND', { reference });
}

/** Every HSM's anchors merged by certificate: coverage is full when every answering HSM holds it under one reference. */
export async function listTrustAnchors(cluster: ClusterClient, warn: Warn): Promise<TrustAnchorRow[]> {
  const outcomes = await cluster.fanOut('mtls-list-trust-anchors', {});
  const answers = verdict(outcomes, 'any', context(cluster, 'mtls-list-trust-anchors', warn)).map(
    (o) => o.value.anchors,
  );
  const seen = new Map<string, { first: TrustAnchor; holders: number; sameReference: boolean }>();
  for (const anchors of answers) {
    for (const anchor of anchors) {
      const key = fingerprint(anchor.certificate);
      const tally = seen.get(key);
      if (!tally) seen.set(key, { first: anchor, holders: 1, sameReference: true });
      else {
        tally.holders++;
        if (anchor.reference !== tally.first.reference) tally.sameReference = false;
      }
    }
  }
  return [...seen.values()]
    .sort((a, b) => a.first.reference.localeCompare(b.first.reference))
    .map((t) => row(t.first, t.holders === answers.length && t.sameReference ? 'full' : 'inconsistent'));
}

export async function setEnforcement(
  cluster: ClusterClient,
  args: OpArgs<'mtls-set-enforcement'>,
  warn: Warn,
): Promise<MtlsEnforcementLevel> {
  const outcomes = await cluster.fanOut('mtls-set-enforcement', args);
  return verdict(outcomes, 'all', context(cluster, 'mtls-set-enforcement', warn))[0]!.value.level;
}

/** The level every answering HSM reports, or `inconsistent` when they differ. */
export async function getEnforcement(
  cluster: ClusterClient,
  warn: Warn,
): Promise<{ level: MtlsEnforcementLevel | 'inconsistent'; coverage: Coverage }> {
  const outcomes = await cluster.fanOut('mtls-get-enforcement', {});
  const levels = verdict(outcomes, 'any', context(cluster, 'mtls-get-enforcement', warn)).map(
    (o) => o.value.level,
  );
  const same = levels.every((l) => l === levels[0]);
  return { level: same ? levels[0]! : 'inconsistent', coverage: same ? 'full' : 'inconsistent' };
}

function row(anchor: TrustAnchor, coverage: Coverage): TrustAnchorRow {
  return {
    'certificate-reference': anchor.reference,
    certificate: anchor.certificate,
    'cluster-coverage': coverage,
  };
}

function fingerprint(pem: string): string {
  try {
    return new crypto.X509Certificate(pem).fingerprint256;
  } catch {
    return pem;
  }
}
