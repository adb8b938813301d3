// user-change-password: any user for themselves, an admin for anyone; an admin's change also unlocks.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { hashPassword } from '../password.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import { guardApproverRemoval } from '../quorum/approvers.js';
import { checkPassword, parseLoginRole, parseUsername, requireLogin, requireUserWithRole } from '../rules.js';

export async function userChangePassword(
  ctx: OpContext,
  args: OpArgs<'user-change-password'>,
): Promise<OpResult<'user-change-password'>> {
  const actor = requireLogin(ctx.session);
  const username = parseUsername(args.username);
  const role = parseLoginRole(args.role);
  const self = actor.username === username;
  const password = checkPassword(args.password);
  // Only an admin changing another user's password is a `user` service operation (ours: self-change needs no quorum).
  const grant = self ? undefined : requireQuorumApproval(ctx, 'user', args.approval);
  requireUserWithRole(ctx.store, username, role);
  const hash = await hashPassword(password, ctx.node.kdf);
  const warning = ctx.store.transaction(() => {
    const user = requireUserWithRole(ctx.store, username, role);
    if (ctx.node.sessions.isLoggedIn(username, ctx.session)) {
      throw new HsmError('ERR_USER_LOGGED_IN', { action: 'change the password of', username });
    }
    // Spec §4.5: "Removing MFA or changing the password of an MFA user who is also quorum-registered
    // removes the quorum registration too" (the MFA and quorum keys are one pair). A user without MFA
    // keeps a separately registered quorum key unless --deregister-quorum asks otherwise.
    const dropQuorum = args.deregisterQuorum === true || user.mfaPublicKey !== null;
    const warned =
      dropQuorum && user.quorumPublicKey
        ? guardApproverRemoval(ctx.store, username, 'deregister', args.allowUnmanageable)
        : undefined;
    ctx.store.updateUser({
      ...user,
      passwordHash: hash,
      failedLogins: 0,
      locked: false,
      mfaPublicKey: args.deregisterMfa ? null : user.mfaPublicKey,
      quorumPublicKey: dropQuorum ? null : user.quorumPublicKey,
    });
    grant?.commit();
    return warned;
  });
  return { username, role, ...(warning ? { warning } : {}) };
}
