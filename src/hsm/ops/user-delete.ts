// user-delete: an admin deletes a user who is not logged in; the last admin cannot be deleted.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import { guardApproverRemoval } from '../quorum/approvers.js';
import { parseLoginRole, parseUsername, requireUserWithRole } from '../rules.js';
import { dropShares } from '../keys/users.js';

export function userDelete(ctx: OpContext, args: OpArgs<'user-delete'>): OpResult<'user-delete'> {
  const username = parseUsername(args.username);
  const role = parseLoginRole(args.role);
  const grant = requireQuorumApproval(ctx, 'user', args.approval);
  if (!ctx.store.getUser(username)) {
    grant.commit();
    return { username, role, alreadyInEffect: true };
  }
  const warning = ctx.store.transaction(() => {
    requireUserWithRole(ctx.store, username, role);
    if (ctx.node.sessions.isLoggedIn(username))
      throw new HsmError('ERR_USER_LOGGED_IN', { action: 'delete', username });
    if (role === 'admin' && ctx.store.listUsers().filter((u) => u.role === 'admin').length <= 1) {
      throw new HsmError('ERR_LAST_ADMIN', { username });
    }
    // "You can't delete user accounts that own keys"; the keys shared with the user lose that share.
    if (ctx.store.countKeys(username) > 0) throw new HsmError('ERR_USER_OWNS_KEYS');
    const warned = guardApproverRemoval(ctx.store, username, 'delete', args.allowUnmanageable);
    dropShares(ctx, username);
    ctx.store.deleteUser(username);
    grant.commit();
    return warned;
  });
  return { username, role, ...(warning ? { warning } : {}) };
}
