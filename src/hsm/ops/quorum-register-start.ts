// quorum-register-start: a registration token for the logged-in user (approval_data = this HSM's record).
import crypto from 'node:crypto';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';

export function quorumRegisterStart(
  ctx: OpContext,
  _args: OpArgs<'quorum-register-start'>,
): OpResult<'quorum-register-start'> {
  const token = ctx.node.quorumTokens.issue(ctx.session, 'registration');
  return {
    approvalData: token.record.toString('base64'),
    unsigned: crypto.createHash('sha256').update(token.record).digest('base64'),
  };
}
