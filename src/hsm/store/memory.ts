// In-memory Store for unit tests: same contract as SQLite, nothing on disk.
import type { AuditEntry } from '../audit.js';
import type { UserView } from '../../protocol/types.js';
import {
  AUDIT_HEAD_SETTING,
  type KeyInventory,
  type Store,
  type UserRecord,
  summarizeUser,
} from './store.js';
import type { SettingKey } from '../settings.js';
import { copyKey } from '../keys/copy.js';
import { type KeyCondition, type KeyViewer, isVisible, matches } from '../keys/filter.js';
import type { KeyRecord } from '../keys/record.js';
import { keyState } from '../keys/version.js';

export class MemoryStore implements Store {
  private users = new Map<string, UserRecord>();
  private settings = new Map<SettingKey, string>();
  private audit: AuditEntry[] = [];
  private keys = new Map<number, KeyRecord>();
  private tombstones = new Set<number>();
  private nextRef = 1;

  listUsers(): UserRecord[] {
    return [...this.users.values()].map((u) => ({ ...u }));
  }
  listUserSummaries(): UserView[] {
    return [...this.users.values()].map(summarizeUser);
  }
  getUser(username: string): UserRecord | undefined {
    const user = this.users.get(username);
    return user && { ...user };
  }
  countUsers(): number {
    return this.users.size;
  }
  insertUser(user: UserRecord): void {
    if (this.users.has(user.username)) throw new Error(`duplicate user ${user.username}`);
    this.users.set(user.username, { ...user });
  }
  updateUser(user: UserRecord): void {
    if (!this.users.has(user.username)) throw new Error(`no user ${user.username}`);
    this.users.set(user.username, { ...user });
  }
  deleteUser(username: string): void {
    this.users.delete(username);
  }
  appendAudit(entry: AuditEntry): void {
    this.audit.push({ ...entry });
    this.settings.set(AUDIT_HEAD_SETTING, entry.hash);
  }
  lastAudit(): AuditEntry | undefined {
    const last = this.audit[this.audit.length - 1];
    return last && { ...last };
  }
  listAudit(limit?: number): AuditEntry[] {
    return (limit === undefined ? this.audit : this.audit.slice(-limit)).map((e) => ({ ...e }));
  }
  getSetting(key: SettingKey): string | undefined {
    return this.settings.get(key);
  }
  setSetting(key: SettingKey, value: string): void {
    this.settings.set(key, value);
  }
  allocateKeyRef(): number {
    return this.nextRef++;
  }
  insertKey(key: KeyRecord): void {
    if (this.keys.has(key.ref)) throw new Error(`duplicate key ${key.ref}`);
    this.keys.set(key.ref, copyKey(key));
    this.nextRef = Math.max(this.nextRef, key.ref + 1);
  }
  getKey(ref: number): KeyRecord | undefined {
    const key = this.keys.get(ref);
    return key && copyKey(key);
  }
  updateKey(key: KeyRecord): void {
    const stored = this.keys.get(key.ref);
    if (!stored) throw new Error(`no key ${key.ref}`);
    this.keys.set(key.ref, { ...copyKey(key), version: (stored.version ?? 0) + 1 });
  }
  replaceKey(key: KeyRecord): void {
    if (!this.keys.has(key.ref)) throw new Error(`no key ${key.ref}`);
    const { version, ...rest } = copyKey(key);
    this.keys.set(key.ref, { ...rest, ...(version ? { version } : {}) });
  }
  deleteKey(ref: number): void {
    this.keys.delete(ref);
  }
  tombstoneKey(ref: number): void {
    this.keys.delete(ref);
    this.tombstones.add(ref);
    this.nextRef = Math.max(this.nextRef, ref + 1);
  }
  isTombstoned(ref: number): boolean {
    return this.tombstones.has(ref);
  }
  keyInventory(): KeyInventory {
    const keys = [...this.keys.values()].filter((k) => k.sessionId === null).sort((a, b) => a.ref - b.ref);
    const states = keys.map(keyState);
    return {
      refs: keys.map((k) => k.ref),
      versions: states.map((s) => s.version),
      digests: states.map((s) => s.digest),
      tombstones: [...this.tombstones].sort((a, b) => a - b),
    };
  }
  findKeys(
    viewer: KeyViewer,
    conditions: readonly KeyCondition[],
    page: { limit: number; offset: number },
  ): { keys: KeyRecord[]; total: number } {
    const all = [...this.keys.values()]
      .filter((k) => isVisible(k, viewer) && matches(k, conditions))
      .sort((a, b) => a.ref - b.ref);
    return { keys: all.slice(page.offset, page.offset + page.limit).map(copyKey), total: all.length };
  }
  deleteSessionKeys(sessionId?: number): number {
    let n = 0;
    for (const [ref, k] of this.keys)
      if (k.sessionId !== null && (sessionId === undefined || k.sessionId === sessionId)) {
        this.keys.delete(ref);
        n++;
      }
    return n;
  }
  countKeys(owner?: string): number {
    if (owner === undefined) return this.keys.size;
    return [...this.keys.values()].filter((k) => k.owner === owner).length;
  }
  countAsymmetricKeys(): number {
    let n = 0;
    for (const k of this.keys.values()) if (k.keyClass !== 'secret-key') n++;
    return n;
  }
  transaction<T>(fn: () => T): T {
    const keys = new Map([...this.keys].map(([k, v]) => [k, copyKey(v)]));
    const nextRef = this.nextRef;
    const tombstones = new Set(this.tombstones);
    const users = new Map([...this.users].map(([k, v]) => [k, { ...v }]));
    const settings = new Map(this.settings);
    const audit = [...this.audit];
    try {
      return fn();
    } catch (error) {
      this.users = users;
      this.settings = settings;
      this.audit = audit;
      this.keys = keys;
      this.nextRef = nextRef;
      this.tombstones = tombstones;
      throw error;
    }
  }
  close(): void {}
}
