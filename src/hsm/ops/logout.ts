// logout: ends the session's login (the connection stays open).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';

export function logout(ctx: OpContext, _args: OpArgs<'logout'>): OpResult<'logout'> {
  ctx.session.user = undefined;
  // Session keys (`--session`) end with the login that made them.
  ctx.store.deleteSessionKeys(ctx.session.id);
  return {};
}
