// The dev clock: a node clock shifted by a persisted offset, which `localhsm time advance` moves so that token
// timeouts and idle sessions can be rehearsed. Only on HSMs created with `localhsm up --dev-clock`.
import type { Clock } from './node.js';
import { readSetting } from './settings.js';
import type { Store } from './store/store.js';

export class DevClock implements Clock {
  constructor(
    private readonly base: Clock,
    private offset: number,
  ) {}

  now(): number {
    return this.base.now() + this.offset;
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
