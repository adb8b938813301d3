// Which of two HSMs' versions of one key object wins in server-side sync: the higher change count, ties broken by
// a digest of the key's metadata so every HSM picks the same one.
import crypto from 'node:crypto';
import type { KeyRecord } from './record.js';

export interface KeyState {
  version: number;
  /** 16 hex digits of SHA-256 over what a change can touch (never the material, which no change alters). */
  digest: string;
}

export function keyState(key: Omit<KeyRecord, 'material' | 'sessionId'>): KeyState {
  const digest = crypto
    .createHash('sha256')
    .update(
      JSON.stringify([key.label, key.owner, key.shared, key.manageQuorum, key.useQuorum, key.attributes]),
    )
    .digest('hex')
    .slice(0, 16);
  return { version: key.version ?? 0, digest };
}

/** Whether state `a` replaces state `b` (higher version; at equal versions the larger digest). */
export function newerState(a: KeyState, b: KeyState): boolean {
  return a.version > b.version || (a.version === b.version && a.digest > b.digest);
}
