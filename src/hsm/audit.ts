// The append-only, hash-chained audit log of one HSM: what each entry holds, how it is chained and verified.
import crypto from 'node:crypto';

export interface AuditFields {
  time: string;
  /** Logged-in user of the session, or '-' when none. */
  actor: string;
  operation: string;
  /** The user the operation is about, or '' when none. Never a secret. */
  target: string;
  /** 'ok' or the error code. */
  result: string;
}

export interface AuditEntry extends AuditFields {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(seq: number, prevHash: string, f: AuditFields): string {
  const canonical = JSON.stringify([seq, prevHash, f.time, f.actor, f.operation, f.target, f.result]);
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

export function chainEntry(previous: AuditEntry | undefined, fields: AuditFields): AuditEntry {
  const seq = (previous?.seq ?? 0) + 1;
  const prevHash = previous?.hash ?? GENESIS_HASH;
  return { seq, prevHash, ...fields, hash: auditHash(seq, prevHash, fields) };
}

export interface AuditProblem {
  seq: number;
  problem: string;
}

/**
 * Checks a whole log: sequence numbers 1..n without gaps, each entry linked to the previous one's
 * hash, each hash matching its content, and the last hash equal to the recorded head (so a removed
 * tail is caught too). Returns every problem found (empty when intact).
 */
export function verifyAuditLog(
  entries: readonly AuditEntry[],
  recordedHead: string | undefined,
): AuditProblem[] {
  const problems: AuditProblem[] = [];
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
    previousHash = e.hash;
  });
  const head = entries.length ? entries[entries.length - 1]!.hash : GENESIS_HASH;
  if ((recordedHead ?? GENESIS_HASH) !== head) {
    problems.push({
      seq: entries.length,
      problem: 'the last entry is not the recorded head (entries removed from the end?)',
    });
  }
  return problems;
}
