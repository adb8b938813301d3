// The cluster client: fans every operation out to all HSMs in parallel and reports how each one answered.
import { HsmError } from '../errors.js';
import type { OpArgs, OpResult, OperationName } from '../protocol/operations.js';
import type { ClusterEntry } from './config.js';
import { HsmConnection, UnreachableError } from './connection.js';

export type Outcome<T> =
  | { connection: HsmConnection; ok: true; value: T }
  | { connection: HsmConnection; ok: false; error: HsmError | UnreachableError };

export class ClusterClient {
  readonly connections: HsmConnection[];

  constructor(readonly entry: ClusterEntry) {
    this.connections = entry.servers.filter((s) => s.enable).map((s) => new HsmConnection(s, entry.ca));
  }

  get size(): number {
    return this.connections.length;
  }

  /** Runs one operation on every HSM at once. Never rejects: each HSM's answer is an outcome. */
  fanOut<O extends OperationName>(op: O, args: OpArgs<O>): Promise<Outcome<OpResult<O>>[]> {
    return this.on(this.connections, op, args);
  }

  /** Runs one operation on the given HSMs at once. */
  on<O extends OperationName>(
    connections: readonly HsmConnection[],
    op: O,
    args: OpArgs<O>,
  ): Promise<Outcome<OpResult<O>>[]> {
    return Promise.all(
      connections.map(async (connection): Promise<Outcome<OpResult<O>>> => {
        try {
          return { connection, ok: true, value: await connection.call(op, args) };
        } catch (error) {
          if (error instanceof HsmError || error instanceof UnreachableError)
            return { connection, ok: false, error };
          throw error;
        }
      }),
    );
  }

  close(): void {
    for (const c of this.connections) c.close();
  }
}

/**
 * The usual verdict on a fan-out: every HSM succeeded -> their values; none did -> the HSMs' own
 * error (or "no HSM reachable"); some did -> "<Operation> failed on N of M connections", the change
 * staying applied where it succeeded (re-running repairs it, as in CloudHSM).
 */
export function requireAll<T>(outcomes: Outcome<T>[], operation: string, clusterId: string): T[] {
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) return outcomes.map((o) => (o as { value: T }).value);
  const refusal = failed.find((o) => o.error instanceof HsmError);
  if (failed.length === outcomes.length) {
    if (refusal) throw refusal.error;
    throw new HsmError('ERR_NO_HSM', { cluster: clusterId, detail: failed[0]!.error.message });
  }
  throw new HsmError('ERR_PARTIAL_FAILURE', { operation, failed: failed.length, total: outcomes.length });
}

/**
 * One line per HSM that did not succeed, for stderr. Nothing when every HSM refused for the same
 * reason: the envelope already says it.
 */
export function describeFailures(outcomes: Outcome<unknown>[]): string[] {
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
        ],
  );
}
