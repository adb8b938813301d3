// Login attempts per user: each password evaluation is reserved before the KDF runs, so the 5-strike lock-out holds
// under concurrency; with the opt-in lock-out guard, a protected approver is slowed down instead of locked.
import { HsmError } from '../errors.js';
import type { OpContext } from './op-context.js';
import { verifyPassword } from './password.js';
import { mayLockOut } from './quorum/approvers.js';
import type { UserRecord } from './store/store.js';

export const MAX_FAILED_LOGINS = 5;
/** The guard's delay after the 5th consecutive failure; it doubles with each further failure, up to the cap. */
export const GUARD_FIRST_DELAY_MS = 1000;
export const GUARD_MAX_DELAY_MS = 5 * 60 * 1000;

/** The guard's delay after `failures` consecutive failures (at least MAX_FAILED_LOGINS). */
export function guardDelayMs(failures: number): number {
  const doublings = Math.min(Math.max(failures - MAX_FAILED_LOGINS, 0), 20);
  return Math.min(GUARD_FIRST_DELAY_MS * 2 ** doublings, GUARD_MAX_DELAY_MS);
}

/**
 * Checks `password` for `user` (who exists with the role asked for), counting the attempt before the
 * derivation: failures already recorded plus evaluations in flight never exceed the limit, so N parallel
 * attempts evaluate at most 5 passwords. Throws ERR_USER_LOCKED, or ERR_LOGIN_FAILED for a wrong password
 * (and, same text and one derivation's time, for an attempt the guard's delay refuses unevaluated). Counts
 * and locks are written through the operation's store, so each commits with its audit entry.
 */
export async function checkUserPassword(ctx: OpContext, user: UserRecord, password: string): Promise<void> {
  const { node, store } = ctx;
  const attempts = node.loginAttempts;
  const name = user.username;
  if (user.locked) throw new HsmError('ERR_USER_LOCKED', { username: name });
  const inFlight = attempts.inFlight.get(name) ?? 0;
  if (user.failedLogins + inFlight >= MAX_FAILED_LOGINS) {
    if (!mayLockOut(store, name)) {
      // The guard: one evaluation at a time, and none before the delay has passed.
      if (inFlight > 0 || node.clock.now() < (attempts.retryAt.get(name) ?? 0)) {
        await verifyPassword(password, null, node.kdf);
        throw new HsmError('ERR_LOGIN_FAILED');
      }
    } else {
      // Locked already (failures recorded) or about to be (the evaluations in flight would lock it).
      if (user.failedLogins >= MAX_FAILED_LOGINS) {
        ctx.auditResult = 'ERR_USER_LOCKED';
        store.transaction(() => store.updateUser({ ...user, locked: true }));
      }
      throw new HsmError('ERR_USER_LOCKED', { username: name });
    }
  }
  attempts.inFlight.set(name, inFlight + 1);
  let ok: boolean;
  try {
    ok = await verifyPassword(password, user.passwordHash, node.kdf);
  } finally {
    const left = (attempts.inFlight.get(name) ?? 1) - 1;
    if (left > 0) attempts.inFlight.set(name, left);
    else attempts.inFlight.delete(name);
  }
  if (!ok) {
    recordFailure(ctx, name);
    throw new HsmError('ERR_LOGIN_FAILED');
  }
}

function recordFailure(ctx: OpContext, username: string): void {
  const { node, store } = ctx;
  ctx.auditResult = 'ERR_LOGIN_FAILED'; // the count commits with the audit entry of the refusal that follows
  store.transaction(() => {
    const current = store.getUser(username);
    if (!current) return;
    const failedLogins = current.failedLogins + 1;
    let locked = current.locked;
    if (failedLogins >= MAX_FAILED_LOGINS) {
      if (mayLockOut(store, username)) locked = true;
      else node.loginAttempts.retryAt.set(username, node.clock.now() + guardDelayMs(failedLogins));
    }
    store.updateUser({ ...current, failedLogins, locked });
  });
}

/**
 * The last step of every login, in the transaction that creates the session: the user must still be
 * unlocked and hold the password hash that was checked (a password change committed meanwhile wins).
 */
export function confirmLogin(ctx: OpContext, username: string, checkedHash: string | null): void {
  const { store } = ctx;
  store.transaction(() => {
    const current = store.getUser(username);
    if (!current || current.locked || checkedHash === null || current.passwordHash !== checkedHash)
      throw new HsmError('ERR_LOGIN_FAILED');
    if (current.failedLogins !== 0) store.updateUser({ ...current, failedLogins: 0 });
  });
  ctx.node.loginAttempts.retryAt.delete(username);
}
