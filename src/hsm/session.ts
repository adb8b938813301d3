// A login session: one per client connection. The node alone decides what a session may do.
import type { LoginRole } from '../protocol/types.js';

export interface SessionUser {
  username: string;
  role: LoginRole;
}

export class Session {
  user: SessionUser | undefined;
  /** Clock time (ms) of the last request on this session. */
  lastActive = 0;
  constructor(readonly id: number) {}
}

/** All open sessions of one node, so rules like "cannot delete a logged-in user" can be checked. */
export class SessionRegistry {
  private nextId = 1;
  private readonly open = new Set<Session>();

  openSession(): Session {
    const session = new Session(this.nextId++);
    this.open.add(session);
    return session;
  }
  closeSession(session: Session): void {
    session.user = undefined;
    this.open.delete(session);
  }
  /** Whether `username` is logged in on any session other than `except`. */
  isLoggedIn(username: string, except?: Session): boolean {
    for (const s of this.open) if (s !== except && s.user?.username === username) return true;
    return false;
  }
  get size(): number {
    return this.open.size;
  }
}
