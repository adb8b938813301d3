// The Store interface: everything one HSM keeps. Implemented by SQLite (real nodes) and memory (unit tests).
import type { Role, UserView } from '../../protocol/types.js';
import type { AuditEntry } from '../audit.js';
import type { SettingKey } from '../settings.js';
import type { KeyCondition, KeyViewer } from '../keys/filter.js';
import type { KeyRecord } from '../keys/record.js';

export interface UserRecord {
  username: string;
  role: Role;
  /** Versioned scrypt string (see password.ts), or null for a user who cannot log in yet. */
  passwordHash: string | null;
  failedLogins: number;
  locked: boolean;
  /** SPKI PEM of the registered MFA token-sign key, if any. */
  mfaPublicKey: string | null;
  /** SPKI PEM of the registered quorum token-sign key, if any. */
  quorumPublicKey: string | null;
}

export interface Store {
  /** Users in creation order. */
  listUsers(): UserRecord[];
  /** What `user list` shows of each user, in creation order, without reading hashes or keys. */
  listUserSummaries(): UserView[];
  getUser(username: string): UserRecord | undefined;
  countUsers(): number;
  insertUser(user: UserRecord): void;
  updateUser(user: UserRecord): void;
  deleteUser(username: string): void;

  /** Appends one audit entry and records it as the log's head, atomically. */
  appendAudit(entry: AuditEntry): void;
  lastAudit(): AuditEntry | undefined;
  /** Entries in sequence order, optionally only the last `limit`. */
  listAudit(limit?: number): AuditEntry[];

  /** Raw settings rows: read and write them through src/hsm/settings.ts, which validates. */
  getSetting(key: SettingKey): string | undefined;
  setSetting(key: SettingKey, value: string): void;

  /** Reserves the next key reference (never handed out twice by this HSM, even after deletes). */
  allocateKeyRef(): number;
  /** Inserts a key; the HSM's next reference moves past its reference. Throws when the reference exists. */
  insertKey(key: KeyRecord): void;
  getKey(ref: number): KeyRecord | undefined;
  /** Writes a changed key; its version goes one up (whatever `key.version` says). */
  updateKey(key: KeyRecord): void;
  /** Writes a key with the version it carries (server-side sync bringing the latest version of a key). */
  replaceKey(key: KeyRecord): void;
  deleteKey(ref: number): void;
  /** Deletes a token key and remembers its reference as deleted (server-side sync never brings it back). */
  tombstoneKey(ref: number): void;
  isTombstoned(ref: number): boolean;
  /** The token keys this HSM holds, with their versions, and the references deleted on it (server-side sync). */
  keyInventory(): KeyInventory;
  /** The keys `viewer` may see that match every condition: one page in ascending reference order, and the total. */
  findKeys(
    viewer: KeyViewer,
    conditions: readonly KeyCondition[],
    page: { limit: number; offset: number },
  ): { keys: KeyRecord[]; total: number };
  /** Deletes the session keys of one session, or of every session (a node that starts has none). */
  deleteSessionKeys(sessionId?: number): number;
  /** How many keys `username` owns; and how many keys this HSM holds in all. */
  countKeys(owner?: string): number;
  /** How many public and private key objects (RSA, EC, ...) this HSM holds, session keys included. */
  countAsymmetricKeys(): number;

  /** Runs fn atomically: all of its writes land, or none do when it throws. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export const summarizeUser = (u: UserRecord): UserView => ({
  username: u.username,
  role: u.role,
  locked: u.locked,
  mfa: u.mfaPublicKey !== null,
  quorum: u.quorumPublicKey !== null,
});

export const AUDIT_HEAD_SETTING = 'audit_head' satisfies SettingKey;

/** Token key references ascending, each with its version and state digest (src/hsm/keys/version.ts); deleted references. */
export interface KeyInventory {
  refs: number[];
  versions: number[];
  digests: string[];
  tombstones: number[];
}
