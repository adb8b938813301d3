// A write storm against one HSM node process that is killed with SIGKILL at random moments; checks nothing
// acknowledged is lost and every committed change has its audit entry.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { HsmConnection } from '../../src/cluster/connection.js';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { HsmError } from '../../src/errors.js';
import { verifyPassword, KDF_PROFILES } from '../../src/hsm/password.js';
import { createCluster } from '../../src/localhsm/cluster-manager.js';

const LOCALHSM = fileURLToPath(new URL('../../../bin/localhsm', import.meta.url));
const ADMIN_PASSWORD = 'storm-admin-1';

export interface CycleResult {
  acknowledged: number;
  lost: string[];
  integrity: string;
  /** Changes of this cycle, as `operation target`, that committed without their audit entry, or the reverse. */
  unaudited: string[];
}

type UserOperation = 'user-create' | 'user-delete' | 'user-change-password';
const USER_OPERATIONS: readonly string[] = ['user-create', 'user-delete', 'user-change-password'];

/** What the client was told succeeded: the latest acknowledged state of each user (undefined = deleted). */
type Expected = Map<string, { password: string } | undefined>;

interface Change {
  name: UserOperation;
  username: string;
  after: { password: string } | undefined;
}

/** One connection writing in a loop over its own users (`w<i>u<n>`), so writers never touch each other's. */
class Writer {
  counter = 0;
  /** The change sent but not acknowledged when the node died. */
  inFlight: Change | undefined;
  /** Changes acknowledged in the current cycle, in order, as `operation target`. */
  acknowledged: string[] = [];
  constructor(readonly index: number) {}
}

export class CrashStorm {
  private readonly expected: Expected = new Map();
  private readonly writers: Writer[];
  /** Audit entries up to this sequence number were checked in earlier cycles. */
  private auditedSeq = 0;

  private constructor(
    readonly dir: string,
    private readonly hsm: { id: string; host: string; port: number },
    writers: number,
  ) {
    this.writers = Array.from({ length: writers }, (_, i) => new Writer(i));
  }

  /** `writers` connections write concurrently, so the kill finds changes in every phase of their commit. */
  static async create(dir: string, options: { writers?: number } = {}): Promise<CrashStorm> {
    await createCluster(dir, { hsms: 1, kdf: 'fast', basePort: 0 });
    const storm = new CrashStorm(dir, readManifest(dir).hsms[0]!, options.writers ?? 1);
    const node = storm.spawnNode();
    try {
      const c = await storm.connect();
      await c.call('cluster-activate', { password: ADMIN_PASSWORD });
      c.close();
    } finally {
      await kill(node);
    }
    return storm;
  }

  private spawnNode(): ChildProcess {
    const files = paths(this.dir).hsm(this.hsm.id);
    return spawn(
      process.execPath,
      [LOCALHSM, 'hsm', 'serve', '--data', files.dir, '--port', String(this.hsm.port)],
      { stdio: 'ignore' },
    );
  }

  private async connect(): Promise<HsmConnection> {
    const ca = fs.readFileSync(paths(this.dir).ca, 'utf8');
    for (let attempt = 0; ; attempt++) {
      const c = new HsmConnection({ hostname: this.hsm.host, port: this.hsm.port }, ca);
      try {
        await c.connect();
        return c;
      } catch (error) {
        c.close();
        if (attempt > 200) throw error;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  /** Starts the node, writes until it is killed after `killAfterAcks` acknowledgements, then checks the file. */
  async cycle(killAfterAcks: number): Promise<CycleResult> {
    const node = this.spawnNode();
    const connections: HsmConnection[] = [];
    let acknowledged = 0;
    let killed: Promise<void> | undefined;
    try {
      for (const _ of this.writers) {
        const c = await this.connect();
        connections.push(c);
        await c.call('login', { username: 'admin', role: 'admin', password: ADMIN_PASSWORD });
      }
      await Promise.all(
        this.writers.map(async (writer, i) => {
          // Each loop keeps writing after the kill is sent, so the node dies with requests in flight.
          for (;;) {
            const op = this.nextOperation(writer);
            writer.inFlight = op;
            try {
              await op.send(connections[i]!);
            } catch (error) {
              if (error instanceof HsmError) throw error;
              return; // the connection died with the node: this operation is unacknowledged
            }
            this.expected.set(op.username, op.after);
            writer.acknowledged.push(`${op.name} ${op.username}`);
            writer.inFlight = undefined;
            if (++acknowledged === killAfterAcks) killed = kill(node, 'SIGKILL');
          }
        }),
      );
    } finally {
      for (const c of connections) c.close();
      await (killed ?? kill(node, 'SIGKILL'));
    }
    return { acknowledged, ...(await this.check()) };
  }

  /** Alternates creates, password changes and deletes over a small pool of names. */
  private nextOperation(writer: Writer): Change & { send(c: HsmConnection): Promise<unknown> } {
    const n = writer.counter++;
    const username = `w${writer.index}u${n % 7}`;
    const password = `pw-${n}-abcdef`;
    if (this.expected.get(username) === undefined) {
      return {
        name: 'user-create',
        username,
        after: { password },
        send: (c) => c.call('user-create', { username, role: 'crypto-user', password }),
      };
    }
    if (n % 3 === 0) {
      return {
        name: 'user-delete',
        username,
        after: undefined,
        send: (c) => c.call('user-delete', { username, role: 'crypto-user' }),
      };
    }
    return {
      name: 'user-change-password',
      username,
      after: { password },
      send: (c) => c.call('user-change-password', { username, role: 'crypto-user', password }),
    };
  }

  /**
   * Reads the file directly: every acknowledged user present with the acknowledged password, every
   * acknowledged delete absent. An operation in flight at the kill may have landed or not, but
   * whole: its user then shows exactly the new state, which becomes the expectation. The audit
   * entries written since the last check must be, for each writer, exactly its acknowledged
   * changes in order, plus the one in flight if (and only if) it landed.
   */
  private async check(): Promise<{ lost: string[]; integrity: string; unaudited: string[] }> {
    const db = new Database(paths(this.dir).hsm(this.hsm.id).db);
    try {
      const integrity = db.pragma('integrity_check', { simple: true }) as string;
      const rows = new Map(
        db
          .prepare<[], { username: string; password_hash: string }>(
            'SELECT username, password_hash FROM users',
          )
          .all()
          .map((r) => [r.username, r.password_hash]),
      );
      const lost: string[] = [];
      const flights = this.writers.flatMap((w) => (w.inFlight ? [w.inFlight] : []));
      const landed = new Set<Change>();
      const names = new Set([...this.expected.keys(), ...flights.map((f) => f.username)]);
      for (const username of names) {
        const state = this.expected.get(username);
        const hash = rows.get(username) ?? null;
        if (await this.matches(state, hash)) continue;
        const flight = flights.find((f) => f.username === username);
        if (flight && (await this.matches(flight.after, hash))) {
          this.expected.set(username, flight.after);
          landed.add(flight);
        } else lost.push(`${username}: acknowledged ${state ? 'password' : 'delete'} not in effect`);
      }
      const entries = db
        .prepare<[number], { seq: number; operation: string; target: string; result: string }>(
          'SELECT seq, operation, target, result FROM audit WHERE seq > ? ORDER BY seq',
        )
        .all(this.auditedSeq);
      this.auditedSeq = entries.at(-1)?.seq ?? this.auditedSeq;
      const unaudited: string[] = [];
      for (const writer of this.writers) {
        const flight = writer.inFlight && landed.has(writer.inFlight) ? [writer.inFlight] : [];
        const committed = [...writer.acknowledged, ...flight.map((f) => `${f.name} ${f.username}`)];
        const audited = entries
          .filter((e) => USER_OPERATIONS.includes(e.operation) && e.target.startsWith(`w${writer.index}u`))
          .map((e) => `${e.operation} ${e.target}${e.result === 'ok' ? '' : ` ${e.result}`}`);
        const problems = [
          ...committed.filter((c) => !audited.includes(c)).map((c) => `${c}: committed, no audit entry`),
          ...audited
            .filter((a) => !committed.includes(a))
            .map((a) => `${a}: audit entry, no committed change`),
        ];
        if (problems.length === 0 && audited.join() !== committed.join())
          problems.push(`audit order ${audited.join(', ')} differs from ${committed.join(', ')}`);
        unaudited.push(...problems);
        writer.inFlight = undefined;
        writer.acknowledged = [];
      }
      return { lost, integrity, unaudited };
    } finally {
      db.close();
    }
  }

  private async matches(state: { password: string } | undefined, hash: string | null): Promise<boolean> {
    if (state === undefined) return hash === null;
    return hash !== null && (await verifyPassword(state.password, hash, KDF_PROFILES.fast));
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
