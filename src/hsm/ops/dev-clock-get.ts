// dev-clock-get: the offset and time of a dev-clock HSM (no login needed; refused on other HSMs).
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { DevClock } from '../dev-clock.js';
import type { OpContext } from '../op-context.js';

export function requireDevClock(ctx: OpContext): DevClock {
  if (!ctx.node.devClock) throw new HsmError('ERR_DEV_CLOCK_OFF');
  return ctx.node.devClock;
}

export function devClockGet(ctx: OpContext, _args: OpArgs<'dev-clock-get'>): OpResult<'dev-clock-get'> {
  const clock = requireDevClock(ctx);
  return { offsetMs: clock.offsetMs, now: clock.now() };
}
