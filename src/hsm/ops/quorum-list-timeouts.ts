// quorum-list-timeouts: the generated and approved token timeouts of this HSM, in seconds (no login needed).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { tokenTimeouts } from '../quorum/settings.js';

export function quorumListTimeouts(
  ctx: OpContext,
  _args: OpArgs<'quorum-list-timeouts'>,
): OpResult<'quorum-list-timeouts'> {
  return tokenTimeouts(ctx.store);
}
