// SQLite Store: one file per HSM, WAL with synchronous=FULL so an acknowledged change survives a crash.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { Role, UserView } from '../../protocol/types.js';
import type { AuditEntry } from '../audit.js';
import { AUDIT_HEAD_SETTING, type Store, type UserRecord } from './store.js';
import type { SettingKey } from '../settings.js';

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

const USER_COLUMNS =
  'username, role, password_hash, failed_logins, locked, mfa_public_key, quorum_public_key';

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts;

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
