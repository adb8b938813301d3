// The console's gatekeeping: one-time login tokens, idle-expiring sessions, CSRF tokens, and the Host/Origin checks.
import crypto from 'node:crypto';

/** A printed login token is good once, for this long (as Jupyter's). */
export const LOGIN_TOKEN_TTL_MS = 5 * 60_000;
/** A session idle for longer than this is gone; the next request needs a new printed URL. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_COOKIE = 'localhsm_console';

export interface ConsoleSession {
  readonly id: string;
  /** Sent back in every form; compared in constant time (SameSite=Strict already stops most forgeries). */
  readonly csrf: string;
  lastSeen: number;
}

const random = () => crypto.randomBytes(24).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The `host:port` form of an address as it appears in a URL and a Host header (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export class ConsoleSecurity {
  /** Login tokens not yet used, with the time each stops being good. */
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    /** `host:port` exactly as printed: the only Host header (and, with http://, Origin) accepted. */
    readonly authority: string,
    private readonly now: () => number = Date.now,
  ) {}

  get origin(): string {
    return `http://${this.authority}`;
  }

  /** A new one-time login token (the printed URL carries it). */
  issueLoginToken(): string {
    const token = random();
    this.tokens.set(token, this.now() + LOGIN_TOKEN_TTL_MS);
    return token;
  }

  loginUrl(token: string): string {
    return `${this.origin}/login?token=${token}`;
  }

  /** Spends a login token: a new session, or undefined when it is unknown, used or expired. */
  redeem(token: string | undefined): ConsoleSession | undefined {
    const now = this.now();
    for (const [t, expires] of this.tokens) if (expires <= now) this.tokens.delete(t);
    if (token === undefined) return undefined;
    let found: string | undefined;
    for (const t of this.tokens.keys()) if (sameSecret(t, token)) found = t;
    if (found === undefined) return undefined;
    this.tokens.delete(found);
    const session: ConsoleSession = { id: random(), csrf: random(), lastSeen: now };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of a cookie value; `touch` counts the request as activity. */
  session(id: string | undefined, touch = true): ConsoleSession | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.now();
    if (now - session.lastSeen > SESSION_IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    if (touch) session.lastSeen = now;
    return session;
  }

  csrfMatches(session: ConsoleSession, given: string | undefined): boolean {
    return given !== undefined && sameSecret(session.csrf, given);
  }

  /**
   * Why a request must be refused before anything else, or undefined. A Host other than the printed address
   * is a DNS-rebinding page reaching us under its own name; an Origin or Sec-Fetch-Site naming another site is
   * a cross-origin request (a top-level navigation typed or opened from the terminal says `none`).
   */
  refusal(headers: { get(name: string): string | null }): string | undefined {
    const host = headers.get('host');
    if (host === null || host.toLowerCase() !== this.authority.toLowerCase())
      return `the Host header must be ${this.authority}`;
    const origin = headers.get('origin');
    if (origin !== null && origin !== this.origin) return 'cross-origin requests are refused';
    const site = headers.get('sec-fetch-site');
    if (site !== null && site !== 'same-origin' && site !== 'none')
      return 'cross-origin requests are refused';
    return undefined;
  }
}
