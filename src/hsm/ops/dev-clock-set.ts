// dev-clock-set: moves a dev-clock HSM's time to the system time plus `offsetMs` (persisted, so a restart keeps
// it). No login: a rehearsal cluster's clock must move even while its admins are locked out. Refused on every
// HSM not created with --dev-clock, whoever asks.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../node.js';
import { writeSetting } from '../settings.js';
import { requireDevClock } from './dev-clock-get.js';

export function devClockSet(ctx: OpContext, args: OpArgs<'dev-clock-set'>): OpResult<'dev-clock-set'> {
  const clock = requireDevClock(ctx);
  writeSetting(ctx.store, 'dev_clock_offset_ms', args.offsetMs);
  clock.set(args.offsetMs);
  return { offsetMs: clock.offsetMs, now: clock.now() };
}
