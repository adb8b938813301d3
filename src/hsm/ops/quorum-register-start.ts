// quorum-register-start: this HSM's registration token (its 80-byte record), before or after login.
import crypto from 'node:crypto';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';

/**
 * The client concatenates the records of every HSM into the one entry of the registration file (as
 * for an approval token), so one signature registers on all of them. `unsigned` is this record's
 * hash: the entry of a one-HSM cluster, or of the per-HSM files LocalHSM wrote before.
 */
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
