// How many keys an HSM holds, per HSM type (spec §15): checked inside every transaction that adds a key.
import { HsmError } from '../../errors.js';
import type { HsmType } from '../../protocol/types.js';
import { readSetting } from '../settings.js';
import type { Store } from '../store/store.js';
import type { KeyRecord } from './record.js';

export interface KeyLimit {
  /** Key objects in all: each key of a pair counts, session keys count (spec §15, emulator rule). */
  total: number;
  /** Public and private key objects among them, where the type caps them separately. */
  asymmetric?: number;
}

/** The quotas page: hsm1.medium 3,300 keys; hsm2m.medium 16,666 of which at most 3,333 asymmetric. */
export const KEY_LIMITS: Readonly<Record<HsmType, KeyLimit>> = {
  'hsm1.medium': { total: 3_300 },
  'hsm2m.medium': { total: 16_666, asymmetric: 3_333 },
};

type KeyClass = KeyRecord['keyClass'];

/** Why `adding` more key objects would not fit, given the counts already held; undefined when they fit. */
export function keyRoomProblem(
  hsmType: HsmType,
  held: { total: number; asymmetric: number },
  adding: readonly KeyClass[],
): { limit: number; kind: 'keys' | 'asymmetric keys' } | undefined {
  const limit = KEY_LIMITS[hsmType];
  if (held.total + adding.length > limit.total) return { limit: limit.total, kind: 'keys' };
  const asymmetric = adding.filter((c) => c !== 'secret-key').length;
  if (limit.asymmetric !== undefined && asymmetric > 0 && held.asymmetric + asymmetric > limit.asymmetric)
    return { limit: limit.asymmetric, kind: 'asymmetric keys' };
  return undefined;
}

/** Whether this HSM can take these key objects now (read the counts inside the caller's transaction). */
export function hasKeyRoom(store: Store, adding: readonly KeyClass[]): boolean {
  return keyRoomProblem(readSetting(store, 'hsm_type'), heldKeys(store, adding), adding) === undefined;
}

/**
 * Refuses to add these key objects when the HSM type's limit would be passed. Call it inside the
 * transaction that inserts them, so two creations in flight cannot both take the last places.
 */
export function requireKeyRoom(store: Store, adding: readonly KeyClass[]): void {
  const hsmType = readSetting(store, 'hsm_type');
  const problem = keyRoomProblem(hsmType, heldKeys(store, adding), adding);
  if (problem) throw new HsmError('ERR_KEY_LIMIT', { hsmType, limit: problem.limit, kind: problem.kind });
}

function heldKeys(store: Store, adding: readonly KeyClass[]): { total: number; asymmetric: number } {
  // The asymmetric count is only read when it can matter.
  const asymmetric = adding.some((c) => c !== 'secret-key') ? store.countAsymmetricKeys() : 0;
  return { total: store.countKeys(), asymmetric };
}
