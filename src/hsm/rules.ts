// Checks shared by the wire operations: who is logged in, role and ownership rules, name and password rules.
import { HsmError } from '../errors.js';
import {
  APPLIANCE_USER,
  type LoginRole,
  isLoginRole,
  passwordProblem,
  isValidUsername,
  normalizeUsername,
} from '../protocol/types.js';
import type { Session, SessionUser } from './session.js';
import type { Store, UserRecord } from './store/store.js';

export function requireLogin(session: Session): SessionUser {
  if (!session.user) throw new HsmError('ERR_NOT_LOGGED_IN');
  return session.user;
}

export function requireAdmin(session: Session, action: string): SessionUser {
  const user = requireLogin(session);
  if (user.role !== 'admin') throw new HsmError('ERR_PERMISSION_DENIED', { role: user.role, action });
  return user;
}

export function parseUsername(raw: string): string {
  if (!isValidUsername(raw)) throw new HsmError('ERR_INVALID_USERNAME', { username: raw.slice(0, 64) });
  return normalizeUsername(raw);
}

export function parseLoginRole(raw: string): LoginRole {
  if (!isLoginRole(raw)) throw new HsmError('ERR_INVALID_ROLE', { role: raw.slice(0, 64) });
  return raw;
}

export function checkPassword(password: string): string {
  const problem = passwordProblem(password);
  if (problem === 'length') throw new HsmError('ERR_INVALID_PASSWORD');
  if (problem === 'control') throw new HsmError('ERR_PASSWORD_CONTROL_CHARACTER');
  return password;
}

/** The user named in a request, which must exist with exactly the given role. */
export function requireUserWithRole(store: Store, username: string, role: LoginRole): UserRecord {
  const user = store.getUser(username);
  if (!user) throw new HsmError('ERR_USER_NOT_FOUND', { username });
  if (user.username === APPLIANCE_USER) throw new HsmError('ERR_BUILTIN_USER', { username });
  if (user.role !== role) throw new HsmError('ERR_ROLE_MISMATCH', { username, role });
  return user;
}
