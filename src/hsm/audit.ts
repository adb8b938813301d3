// The append-only, hash-chained audit log of one HSM: what each entry holds, how it is chained, keyed and verified.
import crypto from 'node:crypto';

export interface AuditFields {
  /** Real (system) time of the entry, whatever the dev clock says. */
  time: string;
  /** Logged-in user of the session, or '-' when none. */
  actor: string;
  operation: string;
  /** The user the operation is about, or '' when none. Never a secret. */
  target: string;
  /** 'ok' or the error code. */
  result: string;
  /** The HSM's dev-clock time when it differs from `time` (clusters made with --dev-clock), else absent. */
  devTime?: string;
}

export interface AuditEntry extends AuditFields {
  seq: number;
  prevHash: string;
  hash: string;
  /**
   * HMAC-SHA256 of `hash` under the HSM's audit key (hex), or '' for an entry written before the HSM had
   * one. Whoever lacks the key cannot recompute it after rewriting the chain.
   */
  mac?: string;
}

/** The secret that authenticates an HSM's entries from sequence `fromSeq` on (see audit-key.ts). */
export interface AuditKey {
  key: Buffer;
  /** First entry written under this key; earlier ones are committed to by its hash chain. */
  fromSeq: number;
}

export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(seq: number, prevHash: string, f: AuditFields): string {
  const fields: unknown[] = [seq, prevHash, f.time, f.actor, f.operation, f.target, f.result];
  // Entries without a dev-clock time hash exactly as before the field existed.
  if (f.devTime) fields.push(f.devTime);
  return crypto.createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export function auditMac(key: Buffer, hash: string): string {
  return crypto.createHmac('sha256', key).update(`localhsm-audit-v1:${hash}`).digest('hex');
}

/** The entry after `previous`; keyed (with a MAC) when the HSM's audit key is given. */
export function chainEntry(
  previous: AuditEntry | undefined,
  fields: AuditFields,
  auditKey?: AuditKey,
): AuditEntry {
  const seq = (previous?.seq ?? 0) + 1;
  const prevHash = previous?.hash ?? GENESIS_HASH;
  const hash = auditHash(seq, prevHash, fields);
  return { seq, prevHash, ...fields, hash, mac: auditKey ? auditMac(auditKey.key, hash) : '' };
}

export interface AuditProblem {
  seq: number;
  problem: string;
}

/** The head of an HSM's log as `localhsm audit checkpoint` records it, to be kept outside the state directory. */
export interface AuditCheckpoint {
  hsmId: string;
  seq: number;
  hash: string;
}

export interface VerifyOptions {
  /** The HSM's audit key: every entry from its `fromSeq` on must carry a valid MAC. */
  auditKey?: AuditKey;
  /** A head recorded earlier: the log must still hold that very entry. */
  checkpoint?: AuditCheckpoint;
}

/**
 * Checks a whole log: sequence numbers 1..n without gaps, each entry linked to the previous one's
 * hash, each hash matching its content, the last hash equal to the recorded head (so a removed
 * tail is caught too), each keyed entry's MAC, and the checkpoint's entry still in place. Returns
 * every problem found (empty when intact).
 */
export function verifyAuditLog(
  entries: readonly AuditEntry[],
  recordedHead: string | undefined,
  options: VerifyOptions = {},
): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const { auditKey, checkpoint } = options;
  let previousHash = GENESIS_HASH;
  entries.forEach((e, index) => {
    if (e.seq !== index + 1)
      problems.push({
        seq: e.seq,
        problem: `expected sequence ${index + 1} (entry missing, inserted or reordered)`,
      });
    if (e.prevHash !== previousHash)
      problems.push({ seq: e.seq, problem: 'does not link to the previous entry' });
    if (auditHash(e.seq, e.prevHash, e) !== e.hash)
      problems.push({ seq: e.seq, problem: 'content does not match its hash (modified)' });
    if (auditKey && e.seq >= auditKey.fromSeq && !macMatches(auditKey.key, e))
      problems.push({
        seq: e.seq,
        problem: "not authenticated by the HSM's audit key (rewritten, or written without the key)",
      });
    previousHash = e.hash;
  });
  const head = entries.length ? entries[entries.length - 1]!.hash : GENESIS_HASH;
  if ((recordedHead ?? GENESIS_HASH) !== head) {
    problems.push({
      seq: entries.length,
      problem: 'the last entry is not the recorded head (entries removed from the end?)',
    });
  }
  if (auditKey && auditKey.fromSeq > 1 && entries.length < auditKey.fromSeq) {
    problems.push({
      seq: entries.length,
      problem: `the log ends before entry ${auditKey.fromSeq}, the first one written under the audit key (entries removed?)`,
    });
  }
  if (checkpoint) {
    const kept = entries[checkpoint.seq - 1];
    if (!kept || kept.seq !== checkpoint.seq)
      problems.push({
        seq: checkpoint.seq,
        problem: `the checkpoint's entry ${checkpoint.seq} is gone (the log was truncated or rewritten)`,
      });
    else if (kept.hash !== checkpoint.hash)
      problems.push({
        seq: checkpoint.seq,
        problem: 'differs from the checkpoint (the log was rewritten up to or past the checkpoint)',
      });
  }
  return problems;
}

function macMatches(key: Buffer, e: AuditEntry): boolean {
  const expected = Buffer.from(auditMac(key, e.hash), 'hex');
  const actual = Buffer.from(e.mac ?? '', 'hex');
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}
