// The one verdict on a fan-out: from each HSM's outcome and a named policy, the warnings, the answers to use, or the error to throw.
import { HsmError } from '../errors.js';
import type { Outcome } from './cluster.js';
import { UnreachableError, restartedHsm } from './connection.js';

export type Warn = (line: string) => void;

/**
 * What a command needs from the HSMs (the policy of each command is listed in docs/decisions.md).
 * - `all`: every HSM must succeed. A change that succeeded on some HSMs only stays applied there and
 *   is reported as "<Operation> failed on N of M connections" (re-running repairs it, as in CloudHSM).
 * - `before-change`: a check before a change, so every HSM must succeed; when only some did, the user
 *   is also told that no HSM was changed.
 * - `any`: a read. HSMs that refuse or do not answer are warned about; one answer is enough.
 * - `reachable`: every HSM that answers must accept (a refusal anywhere fails the command, as `all`);
 *   HSMs that do not answer are only warned about; at least one must answer.
 * - `login`: `reachable`, except that when no HSM answers, only the envelope reports it (no line per
 *   HSM on stderr). The caller logs out again the HSMs that accepted when the verdict throws.
 * - `refusal-first`: an HSM's refusal is the answer, whatever the others said, with no warnings (the
 *   cluster is not in the mode the command needs); otherwise as `any`.
 * With no HSM at all in the fan-out, every policy answers with nothing.
 */
export type FanOutPolicy = 'all' | 'before-change' | 'any' | 'reachable' | 'login' | 'refusal-first';

export interface VerdictContext {
  /** The operation as named in "<Operation> failed on N of M connections". */
  operation: string;
  clusterId: string;
  warn: Warn;
}

/** The outcomes of the HSMs that succeeded, in fan-out order; throws the command's HsmError otherwise. */
export function verdict<R extends Outcome<unknown>>(
  outcomes: readonly R[],
  policy: FanOutPolicy,
  { operation, clusterId, warn }: VerdictContext,
): Extract<R, { ok: true }>[] {
  const answers = outcomes.filter((o): o is Extract<R, { ok: true }> => o.ok);
  const failed = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
  const refusal = failed.find((e): e is HsmError => e instanceof HsmError);
  if (policy === 'refusal-first' && refusal) throw refusal;
  const silent = policy === 'login' && answers.length === 0 && !refusal;
  if (!silent) for (const line of describeFailures(outcomes)) warn(line);
  if (policy === 'before-change' && answers.length > 0 && failed.length > 0)
    warn('warning: no HSM was changed');
  const enough =
    policy === 'all' || policy === 'before-change'
      ? failed.length === 0
      : policy === 'reachable' || policy === 'login'
        ? answers.length > 0 && !refusal
        : answers.length > 0;
  if (enough || outcomes.length === 0) return answers;
  if (failed.length < outcomes.length)
    throw new HsmError('ERR_PARTIAL_FAILURE', { operation, failed: failed.length, total: outcomes.length });
  throw refusal ?? new HsmError('ERR_NO_HSM', { cluster: clusterId, detail: failed[0]!.message });
}

/**
 * One line per HSM that did not succeed, for stderr. Nothing when every HSM refused for the same
 * reason: the envelope already says it.
 */
function describeFailures(outcomes: readonly Outcome<unknown>[]): string[] {
  const first = outcomes[0];
  const uniform =
    first !== undefined &&
    !first.ok &&
    first.error instanceof HsmError &&
    outcomes.every(
      (o) => !o.ok && o.error instanceof HsmError && o.error.code === (first.error as HsmError).code,
    );
  if (uniform) return [];
  return outcomes.flatMap((o) =>
    o.ok
      ? []
      : [
          o.error instanceof UnreachableError
            ? `warning: ${o.error.message}`
            : `warning: HSM at ${o.connection.address} refused: ${o.error.message}`,
          ...(restartedHsm(o.error) ? [restartHint(o.connection.address)] : []),
        ],
  );
}

/** What to do when an HSM restarted since the login (it keeps no session across a restart, as CloudHSM's do not). */
export function restartHint(address: string): string {
  return `hint: HSM at ${address} restarted and forgot this session: log in again (logout, then login)`;
}

/** The warnings the HSMs returned with a change they made (each distinct text once), on stderr. */
export function printNodeWarnings(results: readonly { warning?: string }[], warn: Warn): void {
  for (const text of new Set(results.flatMap((r) => (r.warning ? [r.warning] : [])))) warn(text);
}
