// quorum-set-policy: an admin changes LocalHSM's quorum policy switches, approved per the `quorum` service value.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import { setQuorumPolicy } from '../quorum/settings.js';

export function quorumSetPolicy(
  ctx: OpContext,
  args: OpArgs<'quorum-set-policy'>,
): OpResult<'quorum-set-policy'> {
  if (args.selfApproval === undefined && args.lockoutGuard === undefined && args.guard === undefined) {
    throw new HsmError('ERR_BAD_REQUEST', { detail: 'quorum-set-policy: nothing to change' });
  }
  // Loosening either switch weakens quorum protection, so any change needs the quorum service's approval.
  const grant = requireQuorumApproval(ctx, 'quorum', args.approval);
  ctx.store.transaction(() => {
    setQuorumPolicy(ctx.store, {
      selfApproval: args.selfApproval,
      lockoutGuard: args.lockoutGuard,
      guard: args.guard,
    });
    grant.commit();
  });
  return {};
}
