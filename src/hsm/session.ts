// A login session: one per client connection. The node alone decides what a session may do.
import type { X509Certificate } from 'node:crypto';
import type { LoginRole } from '../protocol/types.js';

export interface SessionUser {
  username: string;
  role: LoginRole;
}

export class Session {
  user: SessionUser | undefined;
  /** The certificate chain the client presented in the TLS handshake, leaf first (empty: none). */
  clientChain: readonly X509Certificate[] = [];
  /** Clock time (ms) of the last request on this session. */
  lastActive = 0;
  constructor(readonly id: number) {}
}

/** All open sessions of one node, so rules like "cannot delete a logged-in user" can be checked. */
export class SessionRegistry {
  private nextId = 1;
  private readonly open = new Set<Session>();

  /** `idleMs`: a login idle for longer is logged out, checked on every look at it (no client action needed). */
  constructor(
    private readonly clock: { now(): number } = { now: () => Date.now() },
    private readonly idleMs = Number.POSITIVE_INFINITY,
  ) {}

  openSession(): Session {
    const session = new Session(this.nextId++);
    session.lastActive = this.clock.now();
    this.open.add(session);
    return session;
  }
  closeSession(session: Session): void {
    session.user = undefined;
    this.open.delete(session);
  }
  /** A request arrived on `session`: its login ends if it was idle too long, then it counts as active. */
  touch(session: Session): void {
    this.expireIdle(session);
    session.lastActive = this.clock.now();
  }
  /** Whether `session` is logged in now (an idle login has expired whether or not its client spoke). */
  loggedIn(session: Session): boolean {
    this.expireIdle(session);
    return session.user !== undefined;
  }
  /** Whether `username` is logged in on any session other than `except`. */
  isLoggedIn(username: string, except?: Session): boolean {
    for (const s of this.open)
      if (s !== except && this.loggedIn(s) && s.user?.username === username) return true;
    return false;
  }
  get size(): number {
    return this.open.size;
  }

  private expireIdle(session: Session): void {
    if (session.user && this.clock.now() - session.lastActive > this.idleMs) session.user = undefined;
  }
}
