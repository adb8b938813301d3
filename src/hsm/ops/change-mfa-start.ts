// change-mfa-start: every permission check of `user change-mfa token-sign` (register or rotate), the new
// password hashed; returns this HSM's token, to be signed with the NEW private key as proof of possession.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { mfaTokenSeconds } from '../challenge.js';
import { authorizeMfaChange } from '../mfa-rules.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import type { OpContext } from '../op-context.js';
import { hashPassword } from '../password.js';
import { checkPassword } from '../rules.js';

export async function changeMfaStart(
  ctx: OpContext,
  args: OpArgs<'change-mfa-start'>,
): Promise<OpResult<'change-mfa-start'>> {
  const first = authorizeMfaChange(ctx, args);
  // Changing another user's MFA is a `user` service operation: approvals are checked now, consumed at commit.
  const grant =
    first.actor.username === first.username ? undefined : requireQuorumApproval(ctx, 'user', args.approval);
  const passwordHash = await hashPassword(checkPassword(args.password), ctx.node.kdf);
  // Checked again after the (slow) hash: the session or the user may have changed meanwhile.
  const { actor, username, role } = authorizeMfaChange(ctx, args);
  const challenge = ctx.node.challenges.issue(
    ctx.session,
    'change-mfa',
    username,
    { actor: { ...actor }, role, changeQuorum: args.changeQuorum === true, passwordHash, grant },
    ctx.node.clock.now(),
    mfaTokenSeconds(ctx.store),
  );
  return { token: challenge.key };
}
