// The dev clock: a node clock shifted by a persisted offset, which `localhsm time advance` moves so that token
// timeouts and idle sessions can be rehearsed. Only on HSMs created with `localhsm up --dev-clock`.
import crypto from 'node:crypto';
import type { Clock } from './clock.js';
import { readSetting } from './settings.js';
import type { Store } from './store/store.js';

export const devClockSecretHash = (secret: string): string =>
  crypto.createHash('sha256').update(secret, 'utf8').digest('hex');

/** Whether `secret` is the control secret this HSM knows (compared in constant time; absent: never). */
export function isDevClockSecret(store: Store, secret: string | undefined): boolean {
  const expected = readSetting(store, 'dev_clock_secret_sha256');
  if (expected === '' || secret === undefined) return false;
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
  return readSetting(store, 'dev_clock');
}

/** The dev clock of a dev-clock HSM over `base` (with its persisted offset), else undefined. */
export function devClockFor(store: Store, base: Clock): DevClock | undefined {
  if (!isDevClockNode(store)) return undefined;
  return new DevClock(base, readSetting(store, 'dev_clock_offset_ms'));
}
