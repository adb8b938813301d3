// user-list: every user of this HSM with role, lock and MFA/quorum registration (no login needed).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';

export function userList(ctx: OpContext, _args: OpArgs<'user-list'>): OpResult<'user-list'> {
  return { users: ctx.store.listUserSummaries() };
}
