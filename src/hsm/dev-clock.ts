// The dev clock: a node clock shifted by a persisted offset, which `localhsm time advance` moves so that token
// timeouts and idle sessions can be rehearsed. Only on HSMs created with `localhsm up --dev-clock`.
import crypto from 'node:crypto';
import { MAX_DEV_CLOCK_OFFSET_MS } from '../protocol/operations.js';
import type { Clock } from './clock.js';
import type { Store } from './store/store.js';

/** Node setting: 'on' for an HSM whose clock may be moved (written at creation only; no operation sets it). */
export const DEV_CLOCK_SETTING = 'dev_clock';
/** Node setting: the current offset in milliseconds, so that a restarted node keeps the moved time. */
export const DEV_CLOCK_OFFSET_SETTING = 'dev_clock_offset_ms';
/** Node setting: SHA-256 (hex) of the cluster's control secret, which dev-clock-set must present. */
export const DEV_CLOCK_SECRET_SETTING = 'dev_clock_secret_sha256';

export const devClockSecretHash = (secret: string): string =>
  crypto.createHash('sha256').update(secret, 'utf8').digest('hex');

/** Whether `secret` is the control secret this HSM knows (compared in constant time; absent: never). */
export function isDevClockSecret(store: Store, secret: string | undefined): boolean {
  const expected = store.getSetting(DEV_CLOCK_SECRET_SETTING);
  if (expected === undefined || secret === undefined) return false;
  const a = Buffer.from(devClockSecretHash(secret), 'hex');
  const b = Buffer.from(expected, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export class DevClock implements Clock {
  constructor(
    private readonly base: Clock,
    private offset: number,
  ) {}

  now(): number {
    return this.base.now() + this.offset;
  }
  /** The time the clock would say unmoved (audit entries keep it as their real time). */
  baseNow(): number {
    return this.base.now();
  }
  get offsetMs(): number {
    return this.offset;
  }
  set(offsetMs: number): void {
    this.offset = offsetMs;
  }
}

export function isDevClockNode(store: Store): boolean {
  return store.getSetting(DEV_CLOCK_SETTING) === 'on';
}

/** The dev clock of a dev-clock HSM over `base` (with its persisted offset), else undefined. */
export function devClockFor(store: Store, base: Clock): DevClock | undefined {
  if (!isDevClockNode(store)) return undefined;
  const offset = Number(store.getSetting(DEV_CLOCK_OFFSET_SETTING) ?? 0);
  return new DevClock(
    base,
    Number.isSafeInteger(offset) && offset >= 0 && offset <= MAX_DEV_CLOCK_OFFSET_MS ? offset : 0,
  );
}
