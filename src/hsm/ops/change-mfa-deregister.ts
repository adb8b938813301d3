// change-mfa-deregister: `user change-mfa token-sign --deregister`: removes the MFA key (and, as in
// CloudHSM, the quorum registration that goes with it) and sets the new password.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { authorizeMfaChange } from '../mfa-rules.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import { guardApproverRemoval } from '../quorum/approvers.js';
import type { OpContext } from '../op-context.js';
import { hashPassword } from '../password.js';
import { checkPassword, requireUserWithRole } from '../rules.js';

export async function changeMfaDeregister(
  ctx: OpContext,
  args: OpArgs<'change-mfa-deregister'>,
): Promise<OpResult<'change-mfa-deregister'>> {
  const { actor, username, role } = authorizeMfaChange(ctx, args);
  const grant = actor.username === username ? undefined : requireQuorumApproval(ctx, 'user', args.approval);
  const passwordHash = await hashPassword(checkPassword(args.password), ctx.node.kdf);
  const warning = ctx.store.transaction(() => {
    authorizeMfaChange(ctx, args);
    const user = requireUserWithRole(ctx.store, username, role);
    if (ctx.node.sessions.isLoggedIn(username, ctx.session)) {
      throw new HsmError('ERR_USER_LOGGED_IN', { action: 'change the MFA of', username });
    }
    // The quorum key goes with the MFA key it was registered with; a user without MFA keeps a
    // separately registered quorum key unless --change-quorum asks to drop it too.
    const dropQuorum = user.mfaPublicKey !== null || args.changeQuorum === true;
    const warned =
      dropQuorum && user.quorumPublicKey
        ? guardApproverRemoval(ctx.store, username, 'deregister', args.allowUnmanageable)
        : undefined;
    ctx.store.updateUser({
      ...user,
      passwordHash,
      mfaPublicKey: null,
      quorumPublicKey: dropQuorum ? null : user.quorumPublicKey,
    });
    grant?.commit();
    return warned;
  });
  return { username, role, ...(warning ? { warning } : {}) };
}
