// Outstanding MFA tokens of one HSM: 32 random bytes each, issued to one session for one purpose and one
// user, single-use, expiring on the node's clock. In memory only: a restarted HSM forgets them (as it
// forgets its sessions), which is what tokens bound to a session must do anyway.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import type { LoginRole } from '../protocol/types.js';
import type { Session, SessionUser } from './session.js';
import { readSetting } from './settings.js';
import type { Store } from './store/store.js';

/** A session that keeps asking for tokens without using them drops its oldest ones beyond this. */
export const MAX_TOKENS_PER_SESSION = 16;
export const CHALLENGE_TOKEN_BYTES = 32;

/** What each purpose keeps with its token until the operation is committed. */
export interface PendingByPurpose {
  'mfa-login': {
    role: LoginRole;
    /** The password hash the password step was checked against: the login completes only while it is current. */
    checkedHash: string | null;
    /** The registered key the signature was verified with (set when verified). */
    verifiedKey?: string;
  };
  'change-mfa': {
    /** Who asked: the commit must come from the same login. */
    actor: SessionUser;
    role: LoginRole;
    changeQuorum: boolean;
    /** The new password, hashed when the token was issued. */
    passwordHash: string;
    /** SPKI PEM of the new key whose proof of possession verified (set when verified). */
    verifiedKey?: string;
    /**
     * The quorum approval checked at start (changing another user's MFA; a QuorumGrant), consumed by
     * the commit. Typed by what the commit calls, so challenges do not import the quorum checks.
     */
    grant?: { commit(): void };
  };
  'user-replicate': {
    /** The destination admin who asked: only the same login may import. */
    actor: SessionUser;
    role: LoginRole;
  };
  'key-replicate': {
    /** The destination user who asked: only the same login may import (the challenge's username is the reference). */
    actor: SessionUser;
  };
}
export type ChallengePurpose = keyof PendingByPurpose;

const PURPOSE_TEXT: Record<ChallengePurpose, string> = {
  'mfa-login': 'an MFA login',
  'change-mfa': 'an MFA change',
  'user-replicate': 'a user replicate',
  'key-replicate': 'a key replicate',
};

export interface Challenge<P extends ChallengePurpose> {
  readonly token: Buffer;
  /** The token in base64, as it travels and as it is looked up. */
  readonly key: string;
  readonly purpose: P;
  readonly session: Session;
  readonly username: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  state: 'issued' | 'verified';
  pending: PendingByPurpose[P];
}

type AnyChallenge = { [P in ChallengePurpose]: Challenge<P> }[ChallengePurpose];

export function mfaTokenSeconds(store: Store): number {
  return readSetting(store, 'mfa_token_seconds');
}

export class ChallengeStore {
  /** Insertion order is issue order, which makes "oldest first" free. */
  private readonly byKey = new Map<string, AnyChallenge>();

  constructor(private readonly random: (bytes: number) => Buffer = crypto.randomBytes) {}

  get size(): number {
    return this.byKey.size;
  }

  issue<P extends ChallengePurpose>(
    session: Session,
    purpose: P,
    username: string,
    pending: PendingByPurpose[P],
    now: number,
    lifetimeSeconds: number,
  ): Challenge<P> {
    this.purge(now);
    const mine = [...this.byKey.values()].filter((c) => c.session === session);
    for (const old of mine.slice(0, Math.max(0, mine.length - MAX_TOKENS_PER_SESSION + 1)))
      this.byKey.delete(old.key);
    let token: Buffer;
    do token = this.random(CHALLENGE_TOKEN_BYTES);
    while (this.byKey.has(token.toString('base64')));
    const challenge: Challenge<P> = {
      token,
      key: token.toString('base64'),
      purpose,
      session,
      username,
      issuedAt: now,
      expiresAt: now + lifetimeSeconds * 1000,
      state: 'issued',
      pending,
    };
    this.byKey.set(challenge.key, challenge as AnyChallenge);
    return challenge;
  }

  /**
   * The outstanding challenge of `key`, if it was issued to `session` for `purpose` and has not
   * expired. A token of another session is reported as unknown: it is none of this session's business.
   */
  take<P extends ChallengePurpose>(key: string, session: Session, purpose: P, now: number): Challenge<P> {
    const challenge = this.byKey.get(key);
    if (!challenge || challenge.session !== session) throw new HsmError('ERR_TOKEN_UNKNOWN');
    if (challenge.purpose !== purpose) {
      throw new HsmError('ERR_TOKEN_PURPOSE', {
        issued: PURPOSE_TEXT[challenge.purpose],
        expected: PURPOSE_TEXT[purpose],
      });
    }
    if (now >= challenge.expiresAt) {
      this.byKey.delete(key);
      throw new HsmError('ERR_TOKEN_EXPIRED', {
        seconds: Math.round((challenge.expiresAt - challenge.issuedAt) / 1000),
      });
    }
    return challenge as Challenge<P>;
  }

  /** Ends a token's life: used, or refused (a token gets one chance). */
  remove(challenge: { key: string }): void {
    this.byKey.delete(challenge.key);
  }

  /** A closed session's tokens can never be used again. */
  dropSession(session: Session): void {
    for (const c of this.byKey.values()) if (c.session === session) this.byKey.delete(c.key);
  }

  purge(now: number): void {
    for (const c of this.byKey.values()) if (now >= c.expiresAt) this.byKey.delete(c.key);
  }
}
