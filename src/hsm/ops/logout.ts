// logout: ends the session's login (the connection stays open).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../node.js';
import { requireLogin } from '../rules.js';

export function logout(ctx: OpContext, _args: OpArgs<'logout'>): OpResult<'logout'> {
  requireLogin(ctx.session);
  ctx.session.user = undefined;
  return {};
}
