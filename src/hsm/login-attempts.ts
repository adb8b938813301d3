// What a node holds in memory about password checks: evaluations in flight, and the lock-out guard's delays.

/**
 * What a node holds in memory about password checks: a node is the only process using its hsm.db, and
 * what a restart loses is harmless (no evaluation is in flight then; the failure count itself is persisted,
 * and the next failure of a guarded user starts a new delay from it).
 */
export class LoginAttempts {
  /** Password evaluations started and not yet settled, per user. */
  readonly inFlight = new Map<string, number>();
  /** Guarded users: clock time before which no password is evaluated. */
  readonly retryAt = new Map<string, number>();
}
