// SQLite Store: one file per HSM, WAL with synchronous=FULL so an acknowledged change survives a crash.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { Role, UserView } from '../../protocol/types.js';
import type { AuditEntry } from '../audit.js';
import { AUDIT_HEAD_SETTING, type KeyInventory, type Store, type UserRecord } from './store.js';
import type { SettingKey } from '../settings.js';
import type { KeyCondition, KeyViewer } from '../keys/filter.js';
import type { AttributeValue, KeyRecord } from '../keys/record.js';
import { keyState } from '../keys/version.js';

/** Each entry moves the schema one version up; applied in order inside one transaction. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
   CREATE TABLE users (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     username TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL,
     password_hash TEXT,
     failed_logins INTEGER NOT NULL DEFAULT 0,
     locked INTEGER NOT NULL DEFAULT 0,
     mfa_public_key TEXT,
     quorum_public_key TEXT
   ) STRICT;`,
  `CREATE TABLE audit (
     seq INTEGER PRIMARY KEY,
     time TEXT NOT NULL,
     actor TEXT NOT NULL,
     operation TEXT NOT NULL,
     target TEXT NOT NULL,
     result TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   ) STRICT;`,
  // Keyed audit (an HMAC per entry) and the dev-clock time beside the real one; '' in older entries.
  `ALTER TABLE audit ADD COLUMN dev_time TEXT NOT NULL DEFAULT '';
   ALTER TABLE audit ADD COLUMN mac TEXT NOT NULL DEFAULT '';`,
  // Keys (issue 16): the reference is the rowid, so `key list` pages in reference order from the table itself.
  // `shared` is a JSON array in share order, `attributes` a JSON object in display order; `material` is
  // sealed under the cluster masking key for private and secret keys (src/hsm/keys/masking.ts).
  `CREATE TABLE keys (
     ref INTEGER PRIMARY KEY,
     key_type TEXT NOT NULL,
     class TEXT NOT NULL,
     label TEXT NOT NULL,
     owner TEXT NOT NULL,
     shared TEXT NOT NULL,
     manage_quorum INTEGER NOT NULL,
     use_quorum INTEGER NOT NULL,
     session_id INTEGER,
     attributes TEXT NOT NULL,
     material BLOB NOT NULL
   ) STRICT;
   CREATE INDEX keys_label ON keys (label);
   -- Covers the visibility test, so total_key_count reads the index and not the rows (material included).
   CREATE INDEX keys_owner ON keys (owner, class, session_id, shared);
   CREATE TABLE key_refs (id INTEGER PRIMARY KEY CHECK (id = 1), next INTEGER NOT NULL) STRICT;
   INSERT INTO key_refs (id, next) VALUES (1, 1);`,
  // Deleted token key references (issue 16 server-side sync): a key deleted while an HSM was down is deleted
  // there when it returns, and a copy of a deleted key is never taken back.
  `CREATE TABLE key_tombstones (ref INTEGER PRIMARY KEY) STRICT;`,
  // Session keys are few: total_key_count counts those of other sessions through this index (see findKeys).
  `CREATE INDEX keys_session ON keys (session_id) WHERE session_id IS NOT NULL;`,
  // Each change to a key adds one, so server-side sync can carry the latest version of a key (issue 16).
  `ALTER TABLE keys ADD COLUMN version INTEGER NOT NULL DEFAULT 0;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

interface UserRow {
  username: string;
  role: string;
  password_hash: string | null;
  failed_logins: number;
  locked: number;
  mfa_public_key: string | null;
  quorum_public_key: string | null;
}

const toRecord = (row: UserRow): UserRecord => ({
  username: row.username,
  role: row.role as Role,
  passwordHash: row.password_hash,
  failedLogins: row.failed_logins,
  locked: row.locked === 1,
  mfaPublicKey: row.mfa_public_key,
  quorumPublicKey: row.quorum_public_key,
});

const toRow = (u: UserRecord): UserRow => ({
  username: u.username,
  role: u.role,
  password_hash: u.passwordHash,
  failed_logins: u.failedLogins,
  locked: u.locked ? 1 : 0,
  mfa_public_key: u.mfaPublicKey,
  quorum_public_key: u.quorumPublicKey,
});

/** An audit row as SQLite holds it (tests that tamper with hsm.db read and write this shape). */
export interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  operation: string;
  target: string;
  result: string;
  prev_hash: string;
  hash: string;
  dev_time: string;
  mac: string;
}
const AUDIT_COLUMNS = 'seq, time, actor, operation, target, result, prev_hash, hash, dev_time, mac';
const toAuditRow = ({ prevHash, devTime, mac, ...rest }: AuditEntry): AuditRow => ({
  ...rest,
  prev_hash: prevHash,
  dev_time: devTime ?? '',
  mac: mac ?? '',
});
const fromAuditRow = ({ prev_hash, dev_time, ...rest }: AuditRow): AuditEntry => ({
  ...rest,
  prevHash: prev_hash,
  ...(dev_time && { devTime: dev_time }),
});

interface KeyRow {
  ref: number;
  key_type: string;
  class: string;
  label: string;
  owner: string;
  shared: string;
  manage_quorum: number;
  use_quorum: number;
  session_id: number | null;
  attributes: string;
  material: Buffer;
  version: number;
}
const KEY_COLUMNS =
  'ref, key_type, class, label, owner, shared, manage_quorum, use_quorum, session_id, attributes, material, version';
const toKeyRow = (k: KeyRecord): KeyRow => ({
  ref: k.ref,
  key_type: k.keyType,
  class: k.keyClass,
  label: k.label,
  owner: k.owner,
  shared: JSON.stringify(k.shared),
  manage_quorum: k.manageQuorum,
  use_quorum: k.useQuorum,
  session_id: k.sessionId,
  attributes: JSON.stringify(k.attributes),
  material: k.material,
  version: k.version ?? 0,
});
const fromKeyRow = (r: KeyRow): KeyRecord => ({
  ref: r.ref,
  keyType: r.key_type,
  keyClass: r.class as KeyRecord['keyClass'],
  label: r.label,
  owner: r.owner,
  shared: JSON.parse(r.shared) as string[],
  manageQuorum: r.manage_quorum,
  useQuorum: r.use_quorum,
  sessionId: r.session_id,
  attributes: JSON.parse(r.attributes) as Record<string, AttributeValue>,
  material: r.material,
  // Absent for a key never changed (as a new key object is built), so records compare equal across stores.
  ...(r.version > 0 ? { version: r.version } : {}),
});
/** Attributes with a column of their own (indexed or cheap); the others are read from the JSON. */
const KEY_ATTRIBUTE_COLUMNS: Record<string, string> = {
  label: 'label',
  class: 'class',
  'key-type': 'key_type',
};
/** SQLite has no booleans: json_extract reads JSON true/false as 1/0. */
const sqlValue = (v: AttributeValue): string | number => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

/**
 * total_key_count without a filter: every key less the ones the viewer may not see. SQLite counts a whole
 * table from its pages, not its rows, so this reads only the hidden keys (other sessions' keys by their
 * partial index, other owners' private and secret keys by keys_owner) and is cheap for a user who sees
 * most keys; counting the visible rows would read every one of them. The same set as the page's WHERE.
 */
function visibleCountSql(viewer: KeyViewer): string {
  const otherSessions = 'SELECT count(*) FROM keys WHERE session_id IS NOT NULL AND session_id <> @sid';
  if (viewer.role === 'admin')
    return 'SELECT (SELECT count(*) FROM keys) - (SELECT count(*) FROM keys WHERE session_id IS NOT NULL) AS n';
  const othersHidden =
    "SELECT count(*) FROM keys WHERE (owner < @user OR owner > @user) AND class <> 'public-key' " +
    'AND (session_id IS NULL OR session_id = @sid) ' +
    "AND NOT (shared <> '[]' AND EXISTS (SELECT 1 FROM json_each(keys.shared) WHERE value = @user))";
  return `SELECT (SELECT count(*) FROM keys) - (${otherSessions}) - (${othersHidden}) AS n`;
}

const USER_COLUMNS =
  'username, role, password_hash, failed_logins, locked, mfa_public_key, quorum_public_key';

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly keyQueries = new Map<string, Database.Statement>();

  constructor(readonly file: string) {
    const existed = fs.existsSync(file);
    this.db = new Database(file);
    if (!existed) fs.chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.stmts = {
      list: this.db.prepare<[], UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY seq`),
      // Rows as arrays (raw mode): about twice as fast as objects for a long list.
      summaries: this.db
        .prepare<[], [string, string, number, number, number]>(
          `SELECT username, role, locked, mfa_public_key IS NOT NULL, quorum_public_key IS NOT NULL
           FROM users ORDER BY seq`,
        )
        .raw(true),
      get: this.db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`),
      count: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users'),
      insert: this.db.prepare<[UserRow]>(
        `INSERT INTO users (${USER_COLUMNS}) VALUES (@username, @role, @password_hash, @failed_logins, @locked, @mfa_public_key, @quorum_public_key)`,
      ),
      update: this.db.prepare<[UserRow]>(
        `UPDATE users SET role = @role, password_hash = @password_hash, failed_logins = @failed_logins, locked = @locked,
         mfa_public_key = @mfa_public_key, quorum_public_key = @quorum_public_key WHERE username = @username`,
      ),
      delete: this.db.prepare<[string]>('DELETE FROM users WHERE username = ?'),
      appendAudit: this.db.prepare<[AuditRow]>(
        `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (@seq, @time, @actor, @operation, @target, @result, @prev_hash, @hash, @dev_time, @mac)`,
      ),
      lastAudit: this.db.prepare<[], AuditRow>(
        `SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY seq DESC LIMIT 1`,
      ),
      listAudit: this.db.prepare<[number], AuditRow>(
        `SELECT * FROM (SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
      ),
      allocateKeyRef: this.db.prepare<[], { next: number }>(
        'UPDATE key_refs SET next = next + 1 WHERE id = 1 RETURNING next - 1 AS next',
      ),
      bumpKeyRef: this.db.prepare<[number]>('UPDATE key_refs SET next = max(next, ? + 1) WHERE id = 1'),
      insertKey: this.db.prepare<[KeyRow]>(
        `INSERT INTO keys (${KEY_COLUMNS}) VALUES (@ref, @key_type, @class, @label, @owner, @shared, @manage_quorum, @use_quorum, @session_id, @attributes, @material, @version)`,
      ),
      getKey: this.db.prepare<[number], KeyRow>(`SELECT ${KEY_COLUMNS} FROM keys WHERE ref = ?`),
      // A change counts one version up; a replacement (server-side sync) takes the version it carries.
      updateKey: this.db.prepare<[KeyRow]>(
        `UPDATE keys SET key_type = @key_type, class = @class, label = @label, owner = @owner, shared = @shared,
         manage_quorum = @manage_quorum, use_quorum = @use_quorum, session_id = @session_id, attributes = @attributes,
         material = @material, version = version + 1 WHERE ref = @ref`,
      ),
      replaceKey: this.db.prepare<[KeyRow]>(
        `UPDATE keys SET key_type = @key_type, class = @class, label = @label, owner = @owner, shared = @shared,
         manage_quorum = @manage_quorum, use_quorum = @use_quorum, session_id = @session_id, attributes = @attributes,
         material = @material, version = @version WHERE ref = @ref`,
      ),
      deleteKey: this.db.prepare<[number]>('DELETE FROM keys WHERE ref = ?'),
      tombstoneKey: this.db.prepare<[number]>('INSERT OR IGNORE INTO key_tombstones (ref) VALUES (?)'),
      isTombstoned: this.db.prepare<[number], { ref: number }>(
        'SELECT ref FROM key_tombstones WHERE ref = ?',
      ),
      keyTombstones: this.db.prepare<[], { ref: number }>('SELECT ref FROM key_tombstones ORDER BY ref'),
      tokenKeyStates: this.db.prepare<[], Omit<KeyRow, 'material' | 'session_id'>>(
        `SELECT ref, key_type, class, label, owner, shared, manage_quorum, use_quorum, attributes, version
         FROM keys WHERE session_id IS NULL ORDER BY ref`,
      ),
      deleteSessionKeys: this.db.prepare<[number]>('DELETE FROM keys WHERE session_id = ?'),
      deleteAllSessionKeys: this.db.prepare<[]>('DELETE FROM keys WHERE session_id IS NOT NULL'),
      countKeys: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM keys'),
      countAsymmetricKeys: this.db.prepare<[], { n: number }>(
        "SELECT count(*) AS n FROM keys WHERE class <> 'secret-key'",
      ),
      countOwnedKeys: this.db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM keys WHERE owner = ?',
      ),
      getSetting: this.db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: this.db.prepare<[string, string]>(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  listUsers(): UserRecord[] {
    return this.stmts.list.all().map(toRecord);
  }
  listUserSummaries(): UserView[] {
    return this.stmts.summaries.all().map(([username, role, locked, mfa, quorum]) => ({
      username,
      role: role as Role,
      locked: locked === 1,
      mfa: mfa === 1,
      quorum: quorum === 1,
    }));
  }
  getUser(username: string): UserRecord | undefined {
    const row = this.stmts.get.get(username);
    return row && toRecord(row);
  }
  countUsers(): number {
    return this.stmts.count.get()!.n;
  }
  insertUser(user: UserRecord): void {
    this.stmts.insert.run(toRow(user));
  }
  updateUser(user: UserRecord): void {
    const info = this.stmts.update.run(toRow(user));
    if (info.changes !== 1) throw new Error(`no user ${user.username}`);
  }
  deleteUser(username: string): void {
    this.stmts.delete.run(username);
  }
  appendAudit(entry: AuditEntry): void {
    this.transaction(() => {
      this.stmts.appendAudit.run(toAuditRow(entry));
      this.stmts.setSetting.run(AUDIT_HEAD_SETTING, entry.hash);
    });
  }
  lastAudit(): AuditEntry | undefined {
    const row = this.stmts.lastAudit.get();
    return row && fromAuditRow(row);
  }
  listAudit(limit = -1): AuditEntry[] {
    return this.stmts.listAudit.all(limit).map(fromAuditRow);
  }
  getSetting(key: SettingKey): string | undefined {
    return this.stmts.getSetting.get(key)?.value;
  }
  setSetting(key: SettingKey, value: string): void {
    this.stmts.setSetting.run(key, value);
  }
  allocateKeyRef(): number {
    return this.stmts.allocateKeyRef.get()!.next;
  }
  insertKey(key: KeyRecord): void {
    this.transaction(() => {
      this.stmts.insertKey.run(toKeyRow(key));
      this.stmts.bumpKeyRef.run(key.ref);
    });
  }
  getKey(ref: number): KeyRecord | undefined {
    const row = this.stmts.getKey.get(ref);
    return row && fromKeyRow(row);
  }
  updateKey(key: KeyRecord): void {
    const info = this.stmts.updateKey.run(toKeyRow(key));
    if (info.changes !== 1) throw new Error(`no key ${key.ref}`);
  }
  replaceKey(key: KeyRecord): void {
    const info = this.stmts.replaceKey.run(toKeyRow(key));
    if (info.changes !== 1) throw new Error(`no key ${key.ref}`);
  }
  deleteKey(ref: number): void {
    this.stmts.deleteKey.run(ref);
  }
  tombstoneKey(ref: number): void {
    this.transaction(() => {
      this.stmts.deleteKey.run(ref);
      this.stmts.tombstoneKey.run(ref);
      this.stmts.bumpKeyRef.run(ref);
    });
  }
  isTombstoned(ref: number): boolean {
    return this.stmts.isTombstoned.get(ref) !== undefined;
  }
  keyInventory(): KeyInventory {
    const states = this.stmts.tokenKeyStates
      .all()
      .map((r) => ({
        ref: r.ref,
        ...keyState(fromKeyRow({ ...r, material: Buffer.alloc(0), session_id: null })),
      }));
    return {
      refs: states.map((s) => s.ref),
      versions: states.map((s) => s.version),
      digests: states.map((s) => s.digest),
      tombstones: this.stmts.keyTombstones.all().map((r) => r.ref),
    };
  }
  findKeys(
    viewer: KeyViewer,
    conditions: readonly KeyCondition[],
    page: { limit: number; offset: number },
  ): { keys: KeyRecord[]; total: number } {
    // Visibility (src/hsm/keys/filter.ts isVisible) and the filter in SQL, so a page costs the same with 10 or 10,000 keys.
    const where = ['(session_id IS NULL OR session_id = @sid)'];
    const params: Record<string, string | number> = { sid: viewer.sessionId, user: viewer.username };
    if (viewer.role === 'admin') where.push('session_id IS NULL');
    else
      where.push(
        "(owner = @user OR class = 'public-key' OR (shared <> '[]' AND EXISTS (SELECT 1 FROM json_each(keys.shared) WHERE value = @user)))",
      );
    conditions.forEach((c, i) => {
      if (c.kind === 'ref') {
        where.push(`ref = @c${i}`);
        params[`c${i}`] = c.ref;
        return;
      }
      const column =
        KEY_ATTRIBUTE_COLUMNS[c.name] ?? `json_extract(attributes, '$."${c.name.replace(/[^a-z-]/g, '')}"')`;
      const names = c.values.map((v, j) => {
        params[`c${i}_${j}`] = sqlValue(v);
        return `@c${i}_${j}`;
      });
      where.push(`${column} IN (${names.join(', ')})`);
    });
    const clause = where.join(' AND ');
    const total = (
      this.keyQuery(
        conditions.length === 0 ? visibleCountSql(viewer) : `SELECT count(*) AS n FROM keys WHERE ${clause}`,
      ).get(params) as { n: number }
    ).n;
    const rows = this.keyQuery(
      `SELECT ${KEY_COLUMNS} FROM keys WHERE ${clause} ORDER BY ref LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit: page.limit, offset: page.offset }) as KeyRow[];
    return { keys: rows.map(fromKeyRow), total };
  }
  deleteSessionKeys(sessionId?: number): number {
    const info =
      sessionId === undefined
        ? this.stmts.deleteAllSessionKeys.run()
        : this.stmts.deleteSessionKeys.run(sessionId);
    return info.changes;
  }
  countKeys(owner?: string): number {
    return owner === undefined ? this.stmts.countKeys.get()!.n : this.stmts.countOwnedKeys.get(owner)!.n;
  }
  countAsymmetricKeys(): number {
    return this.stmts.countAsymmetricKeys.get()!.n;
  }
  /** Prepared once per shape of query (the filters' attribute names and value counts). */
  private keyQuery(sql: string): Database.Statement {
    let stmt = this.keyQueries.get(sql);
    if (!stmt) {
      if (this.keyQueries.size > 256) this.keyQueries.clear();
      stmt = this.db.prepare(sql);
      this.keyQueries.set(sql, stmt);
    }
    return stmt;
  }
  transaction<T>(fn: () => T): T {
    // Nested calls join the outer transaction (better-sqlite3 turns them into savepoints).
    return this.db.inTransaction ? this.db.transaction(fn)() : this.db.transaction(fn).immediate();
  }
  close(): void {
    if (this.db.open) this.db.close();
  }
  /** Raw handle, for maintenance (backup, integrity checks) only. */
  get database(): Database.Database {
    return this.db;
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `state file schema v${current} is newer than this LocalHSM (v${MIGRATIONS.length}); upgrade LocalHSM`,
    );
  }
  db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** Reads an HSM's audit log and recorded head without writing to the file (the node may be running). */
export function readAuditLog(file: string): { entries: AuditEntry[]; head: string | undefined } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // An HSM not started since keyed audit logs came has no dev_time/mac columns yet (read-only: no migration).
    const keyedSchema = (db.pragma('user_version', { simple: true }) as number) >= 3;
    const columns = keyedSchema
      ? AUDIT_COLUMNS
      : "seq, time, actor, operation, target, result, prev_hash, hash, '' AS dev_time, '' AS mac";
    const entries = db
      .prepare<[], AuditRow>(`SELECT ${columns} FROM audit ORDER BY rowid`)
      .all()
      .map(fromAuditRow);
    const head = db
      .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
      .get(AUDIT_HEAD_SETTING);
    return { entries, head: head?.value };
  } finally {
    db.close();
  }
}
