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
    this.connections = entry.servers
      .filter((s) => s.enable)
      .map((s) => new HsmConnection(s, entry.ca, entry.client));
  }

  get size(): number {
    return this.connections.length;
  }

  /** Runs one operation on every HSM at once. Never rejects: each HSM's answer is an outcome. */
  fanOut<O extends OperationName>(op: O, args: OpArgs<O>): Promise<Outcome<OpResult<O>>[]> {
    return this.on(this.connections, op, args);
  }

  /** Runs one operation on the given HSMs at once, with the same arguments or each HSM its own. */
  on<O extends OperationName>(
    connections: readonly HsmConnection[],
    op: O,
    args: OpArgs<O> | ((connection: HsmConnection, index: number) => OpArgs<O>),
  ): Promise<Outcome<OpResult<O>>[]> {
    return Promise.all(
      connections.map(async (connection, index): Promise<Outcome<OpResult<O>>> => {
        try {
          const own = typeof args === 'function' ? args(connection, index) : args;
          return { connection, ok: true, value: await connection.call(op, own) };
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
