// dev-clock-set: moves a dev-clock HSM's time to the system time plus `offsetMs` (persisted, so a restart keeps
// it). No login, since a rehearsal cluster's clock must move even while its admins are locked out, but the
// cluster's control secret (which only the state directory's owner can read). Refused on every HSM not created
// with --dev-clock, whoever asks.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { HsmError } from '../../errors.js';
import { isDevClockSecret } from '../dev-clock.js';
import type { OpContext } from '../op-context.js';
import { writeSetting } from '../settings.js';
import { requireDevClock } from './dev-clock-get.js';

export function devClockSet(ctx: OpContext, args: OpArgs<'dev-clock-set'>): OpResult<'dev-clock-set'> {
  const clock = requireDevClock(ctx);
  if (!isDevClockSecret(ctx.store, args.secret)) throw new HsmError('ERR_DEV_CLOCK_SECRET');
  writeSetting(ctx.store, 'dev_clock_offset_ms', args.offsetMs);
  clock.set(args.offsetMs);
  return { offsetMs: clock.offsetMs, now: clock.now() };
}
