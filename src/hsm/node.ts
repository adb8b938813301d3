// HsmNode: one HSM's logic. handle(request, session) -> reply; no sockets or files of its own.
import { HsmError, type ErrorCode, type ErrorParams, formatMessage } from '../errors.js';
import { type Reply, RequestSchema } from '../protocol/frames.js';
import { ChallengeStore } from './challenge.js';
import { OPERATIONS, isOperationName } from '../protocol/operations.js';
import { chainEntry } from './audit.js';
import { AuditNoise } from './audit-noise.js';
import { OPERATION_HANDLERS } from './ops/index.js';
import { KDF_PROFILES, type KdfParams, isKdfProfile } from './password.js';
import { type Session, SessionRegistry } from './session.js';
import { type DevClock, devClockFor } from './dev-clock.js';
import { type Store, requireSetting } from './store/store.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** A login session idle for longer than this is logged out by the node (CloudHSM-like default). */
export const DEFAULT_SESSION_IDLE_SECONDS = 30 * 60;
export const SESSION_IDLE_SECONDS_SETTING = 'session_idle_seconds';

export interface NodeOptions {
  clock?: Clock;
  /** Called for requests that failed unexpectedly; gets no request arguments (they may hold secrets). */
  onInternalError?: (op: string, error: unknown) => void;
}

export class HsmNode {
  readonly sessions: SessionRegistry;
  /** Outstanding MFA tokens (login and change-mfa), bound to the sessions that asked for them. */
  readonly challenges = new ChallengeStore();
  readonly clock: Clock;
  /** Set on HSMs created with --dev-clock: `clock` is then this clock, which dev-clock-set moves. */
  readonly devClock: DevClock | undefined;
  readonly kdf: KdfParams;
  readonly hsmId: string;
  readonly clusterId: string;
  /** Set at provisioning (seed files may change it), so read once rather than on every request. */
  private readonly sessionIdleMs: number;
  private readonly onInternalError: (op: string, error: unknown) => void;
  private readonly auditNoise = new AuditNoise();

  constructor(
    readonly store: Store,
    options: NodeOptions = {},
  ) {
    this.devClock = devClockFor(store, options.clock ?? systemClock);
    this.clock = this.devClock ?? options.clock ?? systemClock;
    this.onInternalError = options.onInternalError ?? (() => {});
    const kdf = requireSetting(store, 'kdf');
    if (!isKdfProfile(kdf)) throw new Error(`unknown KDF profile '${kdf}' in HSM state`);
    this.kdf = KDF_PROFILES[kdf];
    this.hsmId = requireSetting(store, 'hsm_id');
    this.clusterId = requireSetting(store, 'cluster_id');
    this.sessionIdleMs =
      Number(store.getSetting(SESSION_IDLE_SECONDS_SETTING) ?? DEFAULT_SESSION_IDLE_SECONDS) * 1000;
    this.sessions = new SessionRegistry(this.clock, this.sessionIdleMs);
  }

  openSession(): Session {
    return this.sessions.openSession();
  }
  closeSession(session: Session): void {
    this.challenges.dropSession(session);
    this.sessions.closeSession(session);
  }

  /** Validates a decoded request, runs its operation and returns the reply. Never throws. */
  async handle(raw: unknown, session: Session): Promise<Reply> {
    const envelope = RequestSchema.safeParse(raw);
    const id = envelope.success ? envelope.data.id : idOf(raw);
    if (!envelope.success)
      return errorReply(id, 'ERR_BAD_REQUEST', { detail: describeIssues(envelope.error.issues) });
    const { op, args } = envelope.data;
    this.sessions.touch(session);
    if (!isOperationName(op)) return errorReply(id, 'ERR_UNKNOWN_OPERATION', { op: op.slice(0, 64) });
    const parsedArgs = OPERATIONS[op].args.safeParse(args ?? {});
    if (!parsedArgs.success) {
      return errorReply(id, 'ERR_BAD_REQUEST', {
        detail: `${op}: ${describeIssues(parsedArgs.error.issues)}`,
      });
    }
    const actor = session.user?.username ?? '-';
    const ctx: OpContext = { node: this, store: this.store, session };
    let reply: Reply;
    try {
      const handler = OPERATION_HANDLERS[op] as (ctx: OpContext, args: unknown) => Promise<unknown> | unknown;
      const result = await handler(ctx, parsedArgs.data);
      reply = { v: 1, id, ok: true, result };
    } catch (error) {
      if (error instanceof HsmError) reply = errorReply(id, error.code, error.params);
      else {
        this.onInternalError(op, error);
        reply = errorReply(id, 'ERR_INTERNAL', {});
      }
    }
    const target = ctx.auditTarget ?? auditTarget(parsedArgs.data);
    const row = { actor, operation: op, target, result: reply.ok ? 'ok' : reply.error.code };
    const userExists = (name: string) => this.store.getUser(name) !== undefined;
    if (!UNAUDITED_OPERATIONS.has(op) && !this.auditNoise.absorb(row, userExists))
      this.audit(row.actor, row.operation, row.target, row.result);
    return reply;
  }

  /** Audits the counts of pre-login noise since the last call (serve calls it every minute and at stop). */
  flushAuditNoise(): void {
    for (const row of this.auditNoise.take()) this.audit(row.actor, row.operation, row.target, row.result);
  }

  /** Appends to the hash-chained audit log: who, what, on whom, with which result — never arguments. */
  private audit(actor: string, operation: string, target: string, result: string): void {
    try {
      this.store.transaction(() => {
        const fields = { time: new Date(this.clock.now()).toISOString(), actor, operation, target, result };
        this.store.appendAudit(chainEntry(this.store.lastAudit(), fields));
      });
    } catch (error) {
      this.onInternalError(`audit of ${operation}`, error);
    }
  }
}

export interface OpContext {
  node: HsmNode;
  store: Store;
  session: Session;
  /** The user an operation is about when its arguments do not name one (MFA *-finish: the token's user). */
  auditTarget?: string;
}

/** Read-only operations are not audited; every other operation, and every attempt of it, is. */
const UNAUDITED_OPERATIONS: ReadonlySet<string> = new Set([
  'hsm-info',
  'user-list',
  'quorum-list',
  'quorum-list-values',
  'quorum-list-timeouts',
  'quorum-get-policy',
  'dev-clock-get',
]);

function auditTarget(args: unknown): string {
  const username = (args as { username?: unknown }).username;
  return typeof username === 'string' ? username.toLowerCase().slice(0, 64) : '';
}

function errorReply(id: number | null, code: ErrorCode, params: ErrorParams): Reply {
  return { v: 1, id, ok: false, error: { code, message: formatMessage(code, params), params } };
}

function idOf(raw: unknown): number | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

/** Schema issues as one line naming fields, never echoing values (they may be secrets). */
function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
