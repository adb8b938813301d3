// The quorum tokens one HSM has issued: in memory only; approval tokens bound to the login that generated them.
import crypto from 'node:crypto';
import { HsmError } from '../../errors.js';
import type { Clock } from '../clock.js';
import type { Session, SessionUser } from '../session.js';
import type { Store } from '../store/store.js';
import { type RecordService, buildRecord, splitRecords } from './record.js';
import { readSetting } from '../settings.js';
import { type TokenTimeouts, tokenTimeouts } from './settings.js';

export interface QuorumToken {
  readonly handle: number;
  readonly service: RecordService;
  /** The generating login's user; '' for a registration token generated before login. */
  readonly username: string;
  /**
   * The session and its login when an approval token was generated. The token is alive only while
   * `session.user` is this very object: logout, idle logout, a closed connection and a new
   * login all replace or clear it, which is what "a token dies with its login session" means.
   * Undefined for registration tokens: the documented set-up registers from a new process (issue 14).
   */
  readonly bound: { readonly session: Session; readonly login: SessionUser } | undefined;
  readonly record: Buffer;
  readonly generatedAt: number;
  /** Clock time of the first presentation with enough valid approvals (the approved phase starts). */
  approvedAt: number | undefined;
  /** Distinct valid approvals counted at that presentation. */
  approvals: number;
}

export type TokenState = 'live' | 'expired' | 'dead';

/**
 * Timeouts (our reading of "generated" vs "approved", spec §5.1): a token that has not been
 * approved expires `generated` seconds after it was generated; once a presentation carried enough
 * valid approvals it is approved and then expires `approved` seconds after that moment. The
 * current settings apply (shortening a timeout affects tokens already issued).
 */
export function deadlineOf(token: QuorumToken, timeouts: TokenTimeouts): number {
  return token.approvedAt === undefined
    ? token.generatedAt + timeouts.generated * 1000
    : token.approvedAt + timeouts.approved * 1000;
}

/**
 * One HSM's quorum tokens, held by its node (`node.quorumTokens`) like its MFA challenges. Never persisted:
 * tokens die with their sessions.
 */
export class QuorumTokenStore {
  /** Keyed by the record's hex: presenting a token means presenting the records this HSM issued. */
  private readonly byRecord = new Map<string, QuorumToken>();
  private nextHandle = crypto.randomInt(1, 0x10000);

  /** Reads the node's store and clock when used (the node creates this store before it sets its clock). */
  constructor(private readonly node: { readonly store: Store; readonly clock: Clock }) {}

  private get store(): Store {
    return this.node.store;
  }
  private now(): number {
    return this.node.clock.now();
  }

  get size(): number {
    return this.byRecord.size;
  }

  stateOf(token: QuorumToken): TokenState {
    if (token.bound && token.bound.session.user !== token.bound.login) return 'dead';
    if (this.byRecord.get(token.record.toString('hex')) !== token) return 'dead';
    return this.now() > deadlineOf(token, tokenTimeouts(this.store)) ? 'expired' : 'live';
  }

  /** Forgets tokens whose login ended or whose timeout passed. */
  purge(): void {
    for (const token of [...this.byRecord.values()]) if (this.stateOf(token) !== 'live') this.remove(token);
  }

  /**
   * Issues a token for the session's login. One live token per user and service: a new one
   * replaces the previous (so a partly failed generate can simply be re-run). Expired and dead
   * tokens are purged before the limit of 1,024 is checked.
   *
   * A registration token is bound to no session (it is registered from another process) and may be
   * issued before login, for no user. Registration tokens and approval tokens count against the limit
   * separately, so registration tokens asked for before login cannot crowd out the admins' tokens.
   */
  issue(session: Session, service: RecordService): QuorumToken {
    const login = session.user;
    const registration = service === 'registration';
    if (!login && !registration) throw new HsmError('ERR_NOT_LOGGED_IN');
    const username = login?.username ?? '';
    this.purge();
    if (username !== '') {
      for (const token of [...this.byRecord.values()]) {
        if (token.username === username && token.service === service) this.remove(token);
      }
    }
    const limit = readSetting(this.store, 'quorum_max_tokens');
    let held = 0;
    for (const token of this.byRecord.values())
      if ((token.service === 'registration') === registration) held++;
    if (held >= limit) throw new HsmError('ERR_QUORUM_TOKEN_LIMIT', { limit });
    const handle = this.nextHandle;
    this.nextHandle = (this.nextHandle % 0xffffffff) + 1;
    const now = this.now();
    const token: QuorumToken = {
      handle,
      service,
      username,
      bound: registration || !login ? undefined : { session, login },
      record: buildRecord(service, handle, username, now),
      generatedAt: now,
      approvedAt: undefined,
      approvals: 0,
    };
    this.byRecord.set(token.record.toString('hex'), token);
    return token;
  }

  /** The token whose record is one of the 80-byte records of `approvalData`, if this HSM issued one (live or not). */
  find(approvalData: Buffer): QuorumToken | undefined {
    for (const record of splitRecords(approvalData) ?? []) {
      const token = this.byRecord.get(record.toString('hex'));
      if (token) return token;
    }
    return undefined;
  }

  remove(token: QuorumToken): boolean {
    const key = token.record.toString('hex');
    if (this.byRecord.get(key) !== token) return false;
    this.byRecord.delete(key);
    return true;
  }

  /** Live tokens in generation order. */
  live(): QuorumToken[] {
    this.purge();
    return [...this.byRecord.values()];
  }

  removeWhere(predicate: (token: QuorumToken) => boolean): number {
    let removed = 0;
    for (const token of [...this.byRecord.values()]) if (predicate(token) && this.remove(token)) removed++;
    return removed;
  }
}
