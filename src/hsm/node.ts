// HsmNode: one HSM's logic. handle(request, session) -> reply; no sockets or files of its own.
import { isOperatorProof } from './operator-proof.js';
import { HsmError, type ErrorCode, type ErrorParams, formatMessage } from '../errors.js';
import { type Reply, RequestSchema } from '../protocol/frames.js';
import { ChallengeStore } from './challenge.js';
import { QuorumTokenStore } from './quorum/tokens.js';
import { OPERATIONS, isOperationName } from '../protocol/operations.js';
import { checkAccess } from './access.js';
import { type AuditKey, chainEntry } from './audit.js';
import { type Clock, systemClock } from './clock.js';
import type { OpContext, OpNode } from './op-context.js';
import { AuditedStore, ReadOnlyStore } from './op-store.js';
import { AuditNoise } from './audit-noise.js';
import { LoginAttempts } from './login-attempts.js';
import { OPERATION_HANDLERS } from './ops/index.js';
import { KDF_PROFILES, type KdfParams } from './password.js';
import { type Session, SessionRegistry } from './session.js';
import { type DevClock, devClockFor } from './dev-clock.js';
import { checkSettings, readSetting } from './settings.js';
import type { Store } from './store/store.js';
import type { Masking } from './keys/masking.js';

export { type Clock, systemClock } from './clock.js';

export interface NodeOptions {
  clock?: Clock;
  /** Called for requests that failed unexpectedly; gets no request arguments (they may hold secrets). */
  onInternalError?: (op: string, error: unknown) => void;
  /** Keys the audit log (serve.ts reads it from the data directory); without it entries are only hash-chained. */
  auditKey?: AuditKey;
  /** The cluster masking key; without it the node refuses every key operation. */
  masking?: Masking;
}

export class HsmNode implements OpNode {
  readonly sessions: SessionRegistry;
  /** Outstanding MFA tokens (login and change-mfa), bound to the sessions that asked for them. */
  readonly challenges = new ChallengeStore();
  /** Outstanding quorum tokens, bound to the logins that generated them. */
  readonly quorumTokens = new QuorumTokenStore(this);
  /** Password checks in flight and the lock-out guard's delays, per user. */
  readonly loginAttempts = new LoginAttempts();
  readonly clock: Clock;
  /** Set on HSMs created with --dev-clock: `clock` is then this clock, which dev-clock-set moves. */
  readonly devClock: DevClock | undefined;
  readonly kdf: KdfParams;
  readonly hsmId: string;
  readonly clusterId: string;
  readonly masking: Masking | undefined;
  private readonly onInternalError: (op: string, error: unknown) => void;
  private readonly auditKey: AuditKey | undefined;
  private readonly auditNoise = new AuditNoise();

  constructor(
    readonly store: Store,
    options: NodeOptions = {},
  ) {
    // A damaged settings row stops the node here with its name, rather than misbehaving later.
    checkSettings(store);
    this.devClock = devClockFor(store, options.clock ?? systemClock);
    this.clock = this.devClock ?? options.clock ?? systemClock;
    this.onInternalError = options.onInternalError ?? (() => {});
    this.auditKey = options.auditKey;
    this.masking = options.masking;
    // Session keys end with their session, and no session outlives the node process.
    store.deleteSessionKeys();
    this.kdf = KDF_PROFILES[readSetting(store, 'kdf')];
    this.hsmId = readSetting(store, 'hsm_id');
    this.clusterId = readSetting(store, 'cluster_id');
    // Set at provisioning (seed files may change it), so read once rather than on every request.
    this.sessions = new SessionRegistry(this.clock, readSetting(store, 'session_idle_seconds') * 1000);
  }

  isOperatorProof(proof: string | undefined): boolean {
    return isOperatorProof(this.auditKey, proof);
  }

  openSession(): Session {
    return this.sessions.openSession();
  }
  closeSession(session: Session): void {
    this.challenges.dropSession(session);
    this.sessions.closeSession(session);
    try {
      this.store.deleteSessionKeys(session.id);
    } catch {
      // The store is already closed when the node stops; its session keys go at the next start.
    }
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
    const descriptor = OPERATIONS[op];
    const parsedArgs = descriptor.args.safeParse(args ?? {});
    if (!parsedArgs.success) {
      return errorReply(id, 'ERR_BAD_REQUEST', {
        detail: `${op}: ${describeIssues(parsedArgs.error.issues)}`,
      });
    }
    const actor = session.user?.username ?? '-';
    const ctx: OpContext = { node: this, store: this.store, session };
    const entry = (result: string) => ({
      actor,
      operation: op,
      target: ctx.auditTarget ?? auditTarget(parsedArgs.data),
      result,
    });
    const audited = descriptor.writes
      ? new AuditedStore(this.store, () => this.appendAudit(entry(ctx.auditResult ?? 'ok')))
      : undefined;
    ctx.store = audited ?? new ReadOnlyStore(this.store);
    let reply: Reply;
    try {
      checkAccess(descriptor.access, session, parsedArgs.data);
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
    if (!audited) {
      if (ctx.auditRead) {
        try {
          this.store.transaction(() => this.appendAudit(entry(reply.ok ? 'ok' : reply.error.code)));
        } catch (error) {
          this.onInternalError(`audit of ${op}`, error);
          if (reply.ok) reply = errorReply(id, 'ERR_INTERNAL', {});
        }
      }
      return reply;
    }
    const result = reply.ok ? 'ok' : reply.error.code;
    if (audited.committedResult === undefined) {
      // Nothing committed (a refusal, or a change kept in memory only): the entry is the whole write,
      // unless it is pre-login noise, which is counted and summarised by flushAuditNoise.
      const userExists = (name: string) => this.store.getUser(name) !== undefined;
      if (this.auditNoise.absorb(entry(result), userExists)) return reply;
      try {
        this.store.transaction(() => this.appendAudit(entry(result)));
      } catch (error) {
        this.onInternalError(`audit of ${op}`, error);
        if (reply.ok) reply = errorReply(id, 'ERR_INTERNAL', {});
      }
    } else if (audited.committedResult !== result) {
      this.onInternalError(
        `audit of ${op}`,
        new Error(`the entry committed with the change says ${audited.committedResult}, the reply ${result}`),
      );
    }
    return reply;
  }

  /** Audits the counts of pre-login noise since the last call (serve calls it every minute and at stop). */
  flushAuditNoise(): void {
    const rows = this.auditNoise.take();
    if (rows.length === 0) return;
    try {
      this.store.transaction(() => {
        for (const row of rows) this.appendAudit(row);
      });
    } catch (error) {
      this.onInternalError('audit of pre-login noise', error);
    }
  }

  /**
   * Appends to the hash-chained, keyed audit log, in the caller's transaction: who, what, on whom, with
   * which result — never arguments. Returns the result recorded.
   */
  private appendAudit(fields: { actor: string; operation: string; target: string; result: string }): string {
    // Real time always; a moved dev clock's time goes beside it, so moving the clock cannot rewrite when.
    const time = new Date(this.devClock?.baseNow() ?? this.clock.now()).toISOString();
    const devTime = this.devClock?.offsetMs ? new Date(this.devClock.now()).toISOString() : undefined;
    const entry = { time, ...fields, ...(devTime && { devTime }) };
    this.store.appendAudit(chainEntry(this.store.lastAudit(), entry, this.auditKey));
    return fields.result;
  }
}

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
