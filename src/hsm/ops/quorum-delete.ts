// quorum-delete: drops the logged-in user's quorum tokens (scope user) or, for an admin, every token on the HSM (scope all).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { requireAdmin, requireLogin } from '../rules.js';

export function quorumDelete(ctx: OpContext, args: OpArgs<'quorum-delete'>): OpResult<'quorum-delete'> {
  const user = requireLogin(ctx.session);
  const tokens = ctx.node.quorumTokens;
  if (args.scope === 'all') {
    requireAdmin(ctx.session, 'delete the quorum tokens of all users');
    return { deleted: tokens.removeWhere(() => true) };
  }
  return { deleted: tokens.removeWhere((t) => t.username === user.username) };
}
