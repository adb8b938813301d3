// user-create: an admin creates an admin or crypto user on this HSM.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { hashPassword } from '../password.js';
import { newUser } from '../provision.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import { readSetting } from '../settings.js';
import { checkPassword, parseLoginRole, parseUsername } from '../rules.js';

export async function userCreate(
  ctx: OpContext,
  args: OpArgs<'user-create'>,
): Promise<OpResult<'user-create'>> {
  const username = parseUsername(args.username);
  const role = parseLoginRole(args.role);
  const password = checkPassword(args.password);
  const grant = requireQuorumApproval(ctx, 'user', args.approval);

  // An existing user is refused whatever the password: comparing it would tell the admin whether the
  // given password is the user's (uncounted). The CLI repairs a partial create by role (user list).
  if (ctx.store.getUser(username)) throw new HsmError('ERR_USER_EXISTS', { username });
  const hash = await hashPassword(password, ctx.node.kdf);
  ctx.store.transaction(() => {
    if (ctx.store.getUser(username)) throw new HsmError('ERR_USER_EXISTS', { username });
    const limit = readSetting(ctx.store, 'max_users');
    if (ctx.store.countUsers() >= limit) throw new HsmError('ERR_TOO_MANY_USERS', { limit });
    ctx.store.insertUser({ ...newUser(username, role), passwordHash: hash });
    grant.commit();
  });
  return { username, role };
}
