// login: password authentication with per-HSM lock-out after 5 consecutive failures.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { LOGIN_ROLES } from '../../protocol/types.js';
import { checkUserPassword, confirmLogin } from '../lockout.js';
import type { OpContext } from '../op-context.js';
import { verifyPassword } from '../password.js';
import type { UserRecord } from '../store/store.js';

export { MAX_FAILED_LOGINS } from '../lockout.js';

export async function login(ctx: OpContext, args: OpArgs<'login'>): Promise<OpResult<'login'>> {
  const user = await authenticatePassword(ctx, args);
  if (user.mfaPublicKey) throw new HsmError('ERR_MFA_REQUIRED', { username: user.username, role: user.role });
  return completeLogin(ctx, user, user.passwordHash);
}

/**
 * The password step of every login (plain and MFA): one session logs in once, a locked user is
 * refused, and unknown user, wrong role and wrong password share one message, one derivation's time
 * and (for an existing user) one count towards the lock-out, reserved before the derivation.
 */
export async function authenticatePassword(
  ctx: OpContext,
  args: { username: string; role: string; password: string },
): Promise<UserRecord> {
  if (ctx.session.user) throw new HsmError('ERR_ALREADY_LOGGED_IN', { username: ctx.session.user.username });
  const username = args.username.toLowerCase();
  const role = args.role;
  const found = ctx.store.getUser(username);
  const user =
    found && found.role === role && (LOGIN_ROLES as readonly string[]).includes(role) ? found : undefined;
  if (!user) {
    await verifyPassword(args.password, null, ctx.node.kdf);
    throw new HsmError('ERR_LOGIN_FAILED');
  }
  await checkUserPassword(ctx, user, args.password);
  return user;
}

/**
 * Marks the session logged in and resets the failure count (shared with MFA login), provided the
 * password hash checked (`checkedHash`) is still the user's: a login checked against the old password
 * does not complete after a password change has committed.
 */
export function completeLogin(
  ctx: OpContext,
  user: UserRecord,
  checkedHash: string | null,
): OpResult<'login'> {
  confirmLogin(ctx, user.username, checkedHash);
  const role = user.role as OpResult<'login'>['role'];
  ctx.session.user = { username: user.username, role };
  return { username: user.username, role };
}
