// What a wire operation's handler is given: the parts of the node it may use, the store, its session.
import type { ErrorCode } from '../errors.js';
import type { ChallengeStore } from './challenge.js';
import type { Clock } from './clock.js';
import type { DevClock } from './dev-clock.js';
import type { LoginAttempts } from './login-attempts.js';
import type { KdfParams } from './password.js';
import type { QuorumTokenStore } from './quorum/tokens.js';
import type { Session, SessionRegistry } from './session.js';
import type { Store } from './store/store.js';
import type { Masking } from './keys/masking.js';

/**
 * What operations need from the node. HsmNode implements it; operations never see the class, so
 * the node can import the handler table without a cycle back.
 */
export interface OpNode {
  /** The node's own store; operations write through `OpContext.store` instead, which audits. */
  readonly store: Store;
  readonly sessions: SessionRegistry;
  /** Outstanding MFA tokens (login and change-mfa), bound to the sessions that asked for them. */
  readonly challenges: ChallengeStore;
  /** Outstanding quorum tokens, bound to the sessions that generated them. */
  readonly quorumTokens: QuorumTokenStore;
  /** Password checks in flight and the lock-out guard's delays, per user. */
  readonly loginAttempts: LoginAttempts;
  readonly clock: Clock;
  /** Set on HSMs created with --dev-clock: `clock` is then this clock, which dev-clock-set moves. */
  readonly devClock: DevClock | undefined;
  readonly kdf: KdfParams;
  readonly hsmId: string;
  readonly clusterId: string;
  /** The cluster masking key (masking.key in the data directory); undefined: this HSM cannot hold keys. */
  readonly masking: Masking | undefined;
  /** Whether `proof` is the operator proof of this HSM (operator-proof.ts). */
  isOperatorProof(proof: string | undefined): boolean;
}

export interface OpContext {
  node: OpNode;
  /**
   * The store as this operation may use it: a writing operation's first transaction (or bare write)
   * also appends its audit entry, so the change and its entry commit together; a read-only
   * operation's store refuses writes.
   */
  store: Store;
  session: Session;
  /** The user an operation is about when its arguments do not name one (MFA *-finish: the token's user). */
  auditTarget?: string;
  /**
   * Set before a transaction whose change records a refusal the operation then throws (a failed
   * login's count): the entry written with that change carries this code instead of 'ok'.
   */
  auditResult?: ErrorCode;
  /**
   * Set by a read-only operation whose attempt the audit log must show all the same: a signature under a key-usage
   * quorum (it consumes an approval token) and a key wrap (key material leaves the HSM). The node then appends
   * its entry, target `auditTarget`, as it does for a writing operation's refusal.
   */
  auditRead?: boolean;
}
