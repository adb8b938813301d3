// The operator's proof: what a reader of an HSM's data directory (the state directory's owner, e.g. `localhsm
// console`) presents to read what otherwise needs a login, such as the live quorum tokens of every user.
import crypto from 'node:crypto';
import type { AuditKey } from './audit.js';

/** HMAC of a fixed label under the HSM's audit key (audit.key, 0600): only whoever can read that file can make it. */
export function operatorProof(auditKey: AuditKey): string {
  return crypto.createHmac('sha256', auditKey.key).update('localhsm-operator-read-v1').digest('hex');
}

/** Whether `proof` is this HSM's operator proof (constant time; an HSM without an audit key accepts none). */
export function isOperatorProof(auditKey: AuditKey | undefined, proof: string | undefined): boolean {
  if (!auditKey || proof === undefined) return false;
  const expected = Buffer.from(operatorProof(auditKey), 'utf8');
  const given = Buffer.from(proof, 'utf8');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
