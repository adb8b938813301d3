// quorum-get-policy: LocalHSM's quorum policy switches on this HSM (self-approval, lock-out guard); no login needed.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { quorumPolicy } from '../quorum/settings.js';

export function quorumGetPolicy(
  ctx: OpContext,
  _args: OpArgs<'quorum-get-policy'>,
): OpResult<'quorum-get-policy'> {
  return quorumPolicy(ctx.store);
}
