// login: password authentication with per-HSM lock-out after 5 consecutive failures.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { LOGIN_ROLES } from '../../protocol/types.js';
import type { OpContext } from '../op-context.js';
import { verifyPassword } from '../password.js';
import { mayLockOut } from '../quorum/approvers.js';
import type { UserRecord } from '../store/store.js';

export const MAX_FAILED_LOGINS = 5;

export async function login(ctx: OpContext, args: OpArgs<'login'>): Promise<OpResult<'login'>> {
  const user = await authenticatePassword(ctx, args);
  if (user.mfaPublicKey) throw new HsmError('ERR_MFA_REQUIRED', { username: user.username, role: user.role });
  return completeLogin(ctx, user);
}

/**
 * The password step of every login (plain and MFA): one session logs in once, a locked user is
 * refused, and unknown user, wrong role and wrong password share one message, one derivation's time
 * and (for an existing user) one count towards the lock-out.
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
  if (user?.locked) throw new HsmError('ERR_USER_LOCKED', { username });
  const ok = await verifyPassword(args.password, user?.passwordHash ?? null, ctx.node.kdf);
  if (!user || !ok) {
    if (user) recordFailure(ctx, username);
    throw new HsmError('ERR_LOGIN_FAILED');
  }
  return user;
}

function recordFailure(ctx: OpContext, username: string): void {
  ctx.auditResult = 'ERR_LOGIN_FAILED'; // the count commits with the audit entry of the refusal that follows
  ctx.store.transaction(() => {
    const current = ctx.store.getUser(username);
    if (!current) return;
    const failedLogins = current.failedLogins + 1;
    // The lock-out guard (on by default) keeps a needed quorum approver unlocked; the count still grows.
    const lock = failedLogins >= MAX_FAILED_LOGINS && mayLockOut(ctx.store, username);
    ctx.store.updateUser({ ...current, failedLogins, locked: current.locked || lock });
  });
}

/** Marks the session logged in and resets the failure count (shared with MFA login). */
export function completeLogin(ctx: OpContext, user: UserRecord): OpResult<'login'> {
  ctx.store.transaction(() => {
    const current = ctx.store.getUser(user.username);
    if (!current || current.locked) throw new HsmError('ERR_LOGIN_FAILED');
    if (current.failedLogins !== 0) ctx.store.updateUser({ ...current, failedLogins: 0 });
  });
  const role = user.role as OpResult<'login'>['role'];
  ctx.session.user = { username: user.username, role };
  return { username: user.username, role };
}
