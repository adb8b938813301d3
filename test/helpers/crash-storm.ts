// A write storm against one HSM node process that is killed with SIGKILL at random moments; checks nothing
// acknowledged is lost (users, and keys whose sealed material still opens to the same key) and every committed
// change has its audit entry.
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { HsmConnection } from '../../src/cluster/connection.js';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { HsmError } from '../../src/errors.js';
import { readMaskingKey } from '../../src/hsm/keys/masking-file.js';
import { formatRef, parseRef } from '../../src/hsm/keys/record.js';
import { checkValue } from '../../src/keys/derived.js';
import { verifyPassword, KDF_PROFILES } from '../../src/hsm/password.js';
import { createCluster } from '../../src/localhsm/cluster-manager.js';

const LOCALHSM = fileURLToPath(new URL('../../../bin/localhsm', import.meta.url));
const ADMIN_PASSWORD = 'storm-admin-1';
const KEYER_PASSWORD = 'storm-keyer-1';

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

/** A key as its creation acknowledged it: what the file must still hold under its reference. */
interface ExpectedKey {
  label: string;
  keyType: 'aes' | 'ec';
  keyClass: 'secret-key' | 'public-key' | 'private-key';
  checkValue: string;
}

/**
 * One connection, logged in as its own crypto user (`k<i>`), generating keys in a loop: AES keys and, every third
 * time, an EC pair (two keys in one transaction). Labels are unique (`k<i>-<n>`, a pair adds `-pub`).
 */
class KeyWriter {
  counter = 0;
  /** The label of the creation sent but not acknowledged when the node died. */
  inFlight: string | undefined;
  /** Creations acknowledged in the current cycle, in order, as their audit target (the references). */
  acknowledged: string[] = [];
  constructor(readonly index: number) {}
  get username(): string {
    return `k${this.index}`;
  }
}

export class CrashStorm {
  private readonly expected: Expected = new Map();
  private readonly writers: Writer[];
  private readonly keyWriters: KeyWriter[];
  /** Every key acknowledged so far (and in-flight ones found landed), by reference. */
  private readonly expectedKeys = new Map<number, ExpectedKey>();
  /** Audit entries up to this sequence number were checked in earlier cycles. */
  private auditedSeq = 0;

  private constructor(
    readonly dir: string,
    private readonly hsm: { id: string; host: string; port: number },
    writers: number,
    keyWriters: number,
  ) {
    this.writers = Array.from({ length: writers }, (_, i) => new Writer(i));
    this.keyWriters = Array.from({ length: keyWriters }, (_, i) => new KeyWriter(i));
  }

  /**
   * `writers` connections change users and `keyWriters` connections create keys, concurrently, so the kill finds
   * changes in every phase of their commit.
   */
  static async create(
    dir: string,
    options: { writers?: number; keyWriters?: number } = {},
  ): Promise<CrashStorm> {
    await createCluster(dir, { hsms: 1, kdf: 'fast', basePort: 0 });
    const storm = new CrashStorm(
      dir,
      readManifest(dir).hsms[0]!,
      options.writers ?? 1,
      options.keyWriters ?? 0,
    );
    const node = storm.spawnNode();
    try {
      const c = await storm.connect();
      await c.call('cluster-activate', { password: ADMIN_PASSWORD });
      if (storm.keyWriters.length > 0)
        await c.call('login', { username: 'admin', role: 'admin', password: ADMIN_PASSWORD });
      for (const k of storm.keyWriters)
        await c.call('user-create', { username: k.username, role: 'crypto-user', password: KEYER_PASSWORD });
      c.close();
    } finally {
      await kill(node);
    }
    return storm;
  }

  /** Keys acknowledged over every cycle so far. */
  get keysAcknowledged(): number {
    return this.expectedKeys.size;
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
    const keyConnections: HsmConnection[] = [];
    let acknowledged = 0;
    let killed: Promise<void> | undefined;
    try {
      for (const _ of this.writers) {
        const c = await this.connect();
        connections.push(c);
        await c.call('login', { username: 'admin', role: 'admin', password: ADMIN_PASSWORD });
      }
      for (const k of this.keyWriters) {
        const c = await this.connect();
        keyConnections.push(c);
        await c.call('login', { username: k.username, role: 'crypto-user', password: KEYER_PASSWORD });
      }
      const keyLoops = this.keyWriters.map(async (writer, i) => {
        for (;;) {
          const n = writer.counter++;
          const label = `${writer.username}-${n}`;
          writer.inFlight = label;
          let created;
          try {
            created = await keyConnections[i]!.call(
              'key-generate',
              n % 3 === 2
                ? {
                    ...{ type: 'ec', curve: 'secp256r1', publicLabel: `${label}-pub`, privateLabel: label },
                    ...{ privateAttributes: ['sign=true'], publicAttributes: ['verify=true'] },
                  }
                : { type: 'aes', label, keyLengthBytes: 32 },
            );
          } catch (error) {
            if (error instanceof HsmError) throw error;
            return; // the connection died with the node: this creation is unacknowledged
          }
          for (const view of created.keys) {
            const attributes = view.attributes!;
            this.expectedKeys.set(parseRef(view.ref)!, {
              label: view.label,
              keyType: attributes['key-type'] as ExpectedKey['keyType'],
              keyClass: attributes.class as ExpectedKey['keyClass'],
              checkValue: attributes['check-value'] as string,
            });
          }
          writer.acknowledged.push(created.keys.map((k) => k.ref).join(' '));
          writer.inFlight = undefined;
          if (++acknowledged === killAfterAcks) killed = kill(node, 'SIGKILL');
        }
      });
      const userLoops = this.writers.map(async (writer, i) => {
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
      });
      await Promise.all([...userLoops, ...keyLoops]);
    } finally {
      for (const c of [...connections, ...keyConnections]) c.close();
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
      const landedKeys = this.checkKeys(db, lost);
      const entries = db
        .prepare<[number], { seq: number; actor: string; operation: string; target: string; result: string }>(
          'SELECT seq, actor, operation, target, result FROM audit WHERE seq > ? ORDER BY seq',
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
      for (const writer of this.keyWriters) {
        const landed = landedKeys.get(writer);
        const committed = [...writer.acknowledged, ...(landed ? [landed] : [])];
        const audited = entries
          .filter((e) => e.operation === 'key-generate' && e.actor === writer.username)
          .map((e) => (e.result === 'ok' ? e.target : `${e.target} ${e.result}`));
        if (audited.join() !== committed.join())
          unaudited.push(
            `${writer.username}: key-generate audited ${audited.join(', ')}; committed ${committed.join(', ')}`,
          );
        writer.inFlight = undefined;
        writer.acknowledged = [];
      }
      return { lost, integrity, unaudited };
    } finally {
      db.close();
    }
  }

  /**
   * Every acknowledged key is in the file under its reference, with its label, type and class, and its sealed
   * material opens with the masking key to the same key (the check-value the creation returned). A creation in
   * flight at the kill landed whole (both halves of a pair) or not at all; when it landed, its keys join the
   * expectation. Returns, per key writer, the audit target of its in-flight creation when it landed.
   */
  private checkKeys(db: Database.Database, lost: string[]): Map<KeyWriter, string> {
    const landed = new Map<KeyWriter, string>();
    if (this.keyWriters.length === 0) return landed;
    const masking = readMaskingKey(paths(this.dir).hsm(this.hsm.id).dir)!;
    const rows = new Map(
      db
        .prepare<
          [],
          {
            ref: number;
            label: string;
            key_type: string;
            class: string;
            attributes: string;
            material: Buffer;
          }
        >('SELECT ref, label, key_type, class, attributes, material FROM keys')
        .all()
        .map((r) => [r.ref, r]),
    );
    for (const writer of this.keyWriters) {
      const label = writer.inFlight;
      if (label === undefined) continue;
      const pair = [...rows.values()].filter((r) => r.label === label || r.label === `${label}-pub`);
      if (pair.length === 0) continue;
      const n = Number(label.slice(label.lastIndexOf('-') + 1));
      const whole = pair.length === (n % 3 === 2 ? 2 : 1);
      if (!whole) lost.push(`${label}: the creation in flight landed in part (${pair.length} keys)`);
      pair.sort((a, b) => a.ref - b.ref);
      for (const r of pair)
        this.expectedKeys.set(r.ref, {
          label: r.label,
          keyType: r.key_type as ExpectedKey['keyType'],
          keyClass: r.class as ExpectedKey['keyClass'],
          checkValue: (JSON.parse(r.attributes) as Record<string, string>)['check-value']!,
        });
      landed.set(writer, pair.map((r) => formatRef(r.ref)).join(' '));
    }
    for (const [ref, key] of this.expectedKeys) {
      const row = rows.get(ref);
      if (!row) {
        lost.push(`${formatRef(ref)} (${key.label}): acknowledged key not in the file`);
        continue;
      }
      if (row.label !== key.label || row.key_type !== key.keyType || row.class !== key.keyClass) {
        lost.push(`${formatRef(ref)}: holds ${row.label} ${row.key_type} ${row.class}, not ${key.label}`);
        continue;
      }
      let value: string;
      try {
        const material =
          key.keyClass === 'public-key' ? row.material : masking.openMaterial(ref, row.material);
        value = checkValue({ keyType: key.keyType, class: key.keyClass, material });
      } catch (error) {
        lost.push(`${formatRef(ref)}: its material does not open (${(error as Error).message})`);
        continue;
      }
      if (value !== key.checkValue)
        lost.push(`${formatRef(ref)}: check-value ${value}, acknowledged ${key.checkValue}`);
    }
    return landed;
  }

  /**
   * Starts the node and, as each key writer, lists its keys (they are exactly the expected ones, with their
   * check-values) and signs with its latest EC private key; the signature verifies with the public half.
   */
  async verifyKeysThroughNode(): Promise<string[]> {
    const problems: string[] = [];
    const node = this.spawnNode();
    try {
      for (const writer of this.keyWriters) {
        const c = await this.connect();
        try {
          await c.call('login', { username: writer.username, role: 'crypto-user', password: KEYER_PASSWORD });
          const { keys } = await c.call('key-list', {
            filter: [],
            maxItems: 1_000_000,
            offset: 0,
            verbose: true,
          });
          const mine = keys.filter((k) => k.owner === writer.username);
          const expected = [...this.expectedKeys].filter(([, k]) =>
            k.label.startsWith(`${writer.username}-`),
          );
          const listed = mine.map((k) => `${k.ref} ${k.attributes!['check-value']}`).sort();
          const wanted = expected.map(([ref, k]) => `${formatRef(ref)} ${k.checkValue}`).sort();
          if (listed.join() !== wanted.join())
            problems.push(
              `${writer.username}: the node lists ${listed.length} keys, ${wanted.length} expected`,
            );
          const ecPrivate = expected
            .filter(([, k]) => k.keyType === 'ec' && k.keyClass === 'private-key')
            .at(-1);
          if (!ecPrivate) continue;
          const publicKey = mine.find((k) => k.label === `${ecPrivate[1].label}-pub`)!;
          const digest = crypto.createHash('sha256').update('after the storm').digest();
          const { signature } = await c.call('crypto-sign', {
            ref: formatRef(ecPrivate[0]),
            mechanism: 'ecdsa',
            hash: 'sha256',
            digest: digest.toString('base64'),
          });
          const point = Buffer.from(String(publicKey.attributes!['ec-point']).slice(2), 'hex');
          // ec-point is a DER OCTET STRING around the raw point (spec §2.7).
          const raw = point.subarray(point[1]! & 0x80 ? 2 + (point[1]! & 0x7f) : 2);
          const verifier = crypto.createPublicKey({
            key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33, 65)) },
            format: 'jwk',
          });
          // Raw r‖s (ieee-p1363) over the SHA-256 digest of the message.
          const ok = crypto.verify(
            'sha256',
            Buffer.from('after the storm'),
            { key: verifier, dsaEncoding: 'ieee-p1363' },
            Buffer.from(signature, 'base64'),
          );
          if (!ok)
            problems.push(`${writer.username}: the signature of ${formatRef(ecPrivate[0])} does not verify`);
        } finally {
          c.close();
        }
      }
    } finally {
      await kill(node);
    }
    return problems;
  }

  private async matches(state: { password: string } | undefined, hash: string | null): Promise<boolean> {
    if (state === undefined) return hash === null;
    return hash !== null && (await verifyPassword(state.password, hash, KDF_PROFILES.fast));
  }
}

const b64url = (b: Buffer) => b.toString('base64url');

function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
