// What the console shows, read as the operator would: the manifest, each HSM over TLS (as cloudhsm-cli and
// localhsm status do, one request per HSM and page) and the audit logs from the HSMs' SQLite files (as audit verify).
import fs from 'node:fs';
import { HsmConnection } from '../cluster/connection.js';
import { type ClusterManifest, type HsmEntry, paths, readManifest } from '../cluster/state-dir.js';
import { HsmError } from '../errors.js';
import { type AuditEntry, type AuditProblem, verifyAuditLog } from '../hsm/audit.js';
import { readAuditKey } from '../hsm/audit-key.js';
import { operatorProof } from '../hsm/operator-proof.js';
import { readAuditLog } from '../hsm/store/sqlite.js';
import type { OpArgs, OpResult, OperationName } from '../protocol/operations.js';
import type { TokenView } from '../protocol/quorum.js';
import { DEFAULT_HSM_TYPE, type UserView } from '../protocol/types.js';
import { type KeySummary, countKeys, readKeySummaries } from './keys.js';
import { UserReader } from './users.js';

export interface HsmView {
  id: string;
  address: string;
  type: string;
  up: boolean;
  activated?: boolean;
  users?: number;
  keys?: number;
  /** The HSM's dev-clock time (ms), when it was created with --dev-clock. */
  devClock?: number;
  /** Why it is down (as localhsm status says). */
  detail?: string;
}

export interface ClusterView {
  clusterId: string;
  stateDir: string;
  hsms: HsmView[];
}

/** One HSM's answer for one page, or why there is none. */
export type PerHsm<T> = { hsm: HsmEntry; up: true; value: T } | { hsm: HsmEntry; up: false; detail: string };

export interface AuditCheckpointHead {
  hsmId: string;
  seq: number;
  hash: string;
}

export interface AuditCheckpoint {
  file: string;
  createdAt: string;
  clusterId: string;
  hsms: AuditCheckpointHead[];
}

export interface AuditView {
  hsm: HsmEntry;
  total: number;
  /** The latest entries that pass the filter, newest last. */
  entries: AuditEntry[];
  problems: AuditProblem[];
  keyed: boolean;
  checkpointHead?: AuditCheckpointHead;
}

export class ConsoleState {
  /** One TLS connection per HSM address, kept open between pages (the node closes idle ones; calls reconnect). */
  private readonly connections = new Map<string, HsmConnection>();
  private ca: string | undefined;
  private readonly userReaders = new Map<string, UserReader>();

  constructor(
    readonly stateDir: string,
    /** The checkpoint file given with --checkpoint, read through this (it validates). */
    private readonly readCheckpoint?: () => AuditCheckpoint,
  ) {}

  manifest(): ClusterManifest {
    return readManifest(this.stateDir);
  }

  private connection(hsm: HsmEntry): HsmConnection {
    const key = `${hsm.id}@${hsm.host}:${hsm.port}`;
    let connection = this.connections.get(key);
    if (!connection) {
      this.ca ??= fs.readFileSync(paths(this.stateDir).ca, 'utf8');
      connection = new HsmConnection({ hostname: hsm.host, port: hsm.port }, this.ca);
      for (const [k, c] of this.connections) if (k.startsWith(`${hsm.id}@`)) c.close();
      this.connections.set(key, connection);
    }
    return connection;
  }

  /** One operation on every HSM of the manifest at once; a down HSM is an outcome, not an error. */
  async fanOut<O extends OperationName>(
    op: O,
    args: OpArgs<O> | ((hsm: HsmEntry) => OpArgs<O>),
    manifest = this.manifest(),
  ): Promise<PerHsm<OpResult<O>>[]> {
    return Promise.all(
      manifest.hsms.map(async (hsm): Promise<PerHsm<OpResult<O>>> => {
        try {
          const value = await this.connection(hsm).call(op, typeof args === 'function' ? args(hsm) : args);
          return { hsm, up: true, value };
        } catch (error) {
          return { hsm, up: false, detail: (error as Error).message };
        }
      }),
    );
  }

  async cluster(): Promise<ClusterView> {
    const manifest = this.manifest();
    const [infos, clocks] = await Promise.all([
      this.fanOut('hsm-info', {}, manifest),
      this.fanOut('dev-clock-get', {}, manifest),
    ]);
    const hsms = infos.map((info, i): HsmView => {
      const base = {
        id: info.hsm.id,
        address: `${info.hsm.host}:${info.hsm.port}`,
        type: manifest.hsmType ?? DEFAULT_HSM_TYPE,
      };
      if (!info.up) return { ...base, up: false, detail: info.detail };
      if (info.value.hsmId !== info.hsm.id)
        return { ...base, up: false, detail: `the port answers as ${info.value.hsmId}` };
      const clock = clocks[i]!;
      const keys = countKeys(paths(this.stateDir).hsm(info.hsm.id).db);
      return {
        ...base,
        up: true,
        activated: info.value.activated,
        users: info.value.userCount,
        ...(keys !== undefined && { keys }),
        ...(clock.up && { devClock: clock.value.now }),
      };
    });
    return { clusterId: manifest.clusterId, stateDir: this.stateDir, hsms };
  }

  /** Which HSMs answer, cheaply (the live updates poll this). */
  async upDown(): Promise<{ id: string; up: boolean }[]> {
    return (await this.fanOut('hsm-info', {})).map((o) => ({ id: o.hsm.id, up: o.up }));
  }

  /**
   * Each answering HSM's users, read from its SQLite file (one query per HSM, whatever the number of users);
   * an HSM that does not answer is down, as `user list` leaves it out.
   */
  async users(): Promise<PerHsm<UserView[]>[]> {
    const manifest = this.manifest();
    const answers = this.fanOut('hsm-info', {}, manifest);
    for (const [id, reader] of this.userReaders)
      if (!manifest.hsms.some((h) => h.id === id)) {
        reader.close();
        this.userReaders.delete(id);
      }
    // Read while the HSMs answer; a down HSM's list is dropped below.
    const lists = manifest.hsms.map((hsm) => this.userReader(hsm).read());
    return (await answers).map((o, i): PerHsm<UserView[]> => {
      if (!o.up) return o;
      if (o.value.hsmId !== o.hsm.id)
        return { hsm: o.hsm, up: false, detail: `the port answers as ${o.value.hsmId}` };
      return { hsm: o.hsm, up: true, value: lists[i]! };
    });
  }

  private userReader(hsm: HsmEntry): UserReader {
    const file = paths(this.stateDir).hsm(hsm.id).db;
    let reader = this.userReaders.get(hsm.id);
    if (!reader || reader.file !== file) {
      reader = new UserReader(file);
      this.userReaders.set(hsm.id, reader);
    }
    return reader;
  }

  async quorum(): Promise<{
    values: PerHsm<OpResult<'quorum-list-values'>>[];
    timeouts: PerHsm<OpResult<'quorum-list-timeouts'>>[];
    tokens: PerHsm<TokenView[]>[];
    /** When the tokens were read (ms): their deadlines are this plus remainingSeconds. */
    readAt: number;
  }> {
    const manifest = this.manifest();
    const readAt = Date.now();
    const [values, timeouts, tokens] = await Promise.all([
      this.fanOut('quorum-list-values', {}, manifest),
      this.fanOut('quorum-list-timeouts', {}, manifest),
      this.fanOut(
        'quorum-list-operator',
        (hsm) => {
          const key = readAuditKey(paths(this.stateDir).hsm(hsm.id).dir);
          if (!key) throw new HsmError('ERR_OPERATOR_PROOF');
          return { proof: operatorProof(key) };
        },
        manifest,
      ),
    ]);
    return {
      values,
      timeouts,
      tokens: tokens.map((o) => (o.up ? { ...o, value: o.value.tokens } : o)),
      readAt,
    };
  }

  checkpoint(): AuditCheckpoint | undefined {
    return this.readCheckpoint?.();
  }

  /** Each HSM's audit log from its SQLite file (running or not), verified as localhsm audit verify does. */
  audit(filter: { user?: string; operation?: string; limit: number }): {
    views: AuditView[];
    checkpoint: AuditCheckpoint | undefined;
    checkpointError?: string;
  } {
    let checkpoint: AuditCheckpoint | undefined;
    let checkpointError: string | undefined;
    try {
      checkpoint = this.checkpoint();
    } catch (error) {
      checkpointError = (error as Error).message;
    }
    const views = this.manifest().hsms.map((hsm): AuditView => {
      const files = paths(this.stateDir).hsm(hsm.id);
      const { entries, head } = readAuditLog(files.db);
      const auditKey = readAuditKey(files.dir);
      const checkpointHead = checkpoint?.hsms.find((h) => h.hsmId === hsm.id);
      const problems = verifyAuditLog(entries, head, { auditKey, checkpoint: checkpointHead });
      const matching = entries.filter(
        (e) =>
          (!filter.user || e.actor === filter.user || e.target === filter.user) &&
          (!filter.operation || e.operation === filter.operation),
      );
      return {
        hsm,
        total: entries.length,
        entries: matching.slice(-filter.limit),
        problems,
        keyed: auditKey !== undefined,
        ...(checkpointHead && { checkpointHead }),
      };
    });
    return { views, checkpoint, ...(checkpointError && { checkpointError }) };
  }

  /** Each HSM's keys, from its SQLite file (metadata only), or undefined where the HSM has no key table. */
  keys(): { hsm: HsmEntry; keys: KeySummary[] | undefined }[] {
    return this.manifest().hsms.map((hsm) => ({
      hsm,
      keys: readKeySummaries(paths(this.stateDir).hsm(hsm.id).db),
    }));
  }

  close(): void {
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
    for (const r of this.userReaders.values()) r.close();
    this.userReaders.clear();
  }
}
