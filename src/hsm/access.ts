// The coarse permission check of every operation, as its descriptor declares it (src/protocol/operations.ts).
import { HsmError } from '../errors.js';
import type { Access } from '../protocol/operations.js';
import { parseLoginRole, parseUsername, requireAdmin, requireLogin } from './rules.js';
import type { Session, SessionUser } from './session.js';

/**
 * Throws what the operation's own checks threw before they moved here, in the same order: not
 * logged in, then (self-or-admin) a bad username or role, then the wrong role.
 */
export function checkAccess(access: Access, session: Session, args: unknown): void {
  switch (access.level) {
    case 'anyone':
      return;
    case 'logged-out':
      if (session.user) throw new HsmError('ERR_ALREADY_LOGGED_IN', { username: session.user.username });
      return;
    case 'login':
      requireLogin(session);
      return;
    case 'admin':
      requireAdmin(session, access.action);
      return;
    case 'crypto-user': {
      const user = requireLogin(session);
      if (user.role !== 'crypto-user')
        throw new HsmError('ERR_PERMISSION_DENIED', { role: user.role, action: access.action });
      return;
    }
    case 'self-or-admin':
      requireSelfOrAdmin(session, args as { username: string; role: string }, access.action);
      return;
  }
}

/** Any user for themselves, an admin for anyone: the target named by `username` and `role`. */
export function requireSelfOrAdmin(
  session: Session,
  target: { username: string; role: string },
  action: string,
): SessionUser {
  const actor = requireLogin(session);
  const username = parseUsername(target.username);
  parseLoginRole(target.role);
  if (actor.username !== username && actor.role !== 'admin')
    throw new HsmError('ERR_PERMISSION_DENIED', { role: actor.role, action });
  return actor;
}
