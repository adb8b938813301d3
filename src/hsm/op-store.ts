// The store as one operation sees it: a writing operation's commit carries its audit entry; a read-only one cannot write.
import type { UserView } from '../protocol/types.js';
import type { AuditEntry } from './audit.js';
import type { SettingKey } from './settings.js';
import type { KeyInventory, Store, UserRecord } from './store/store.js';
import type { KeyCondition, KeyViewer } from './keys/filter.js';
import type { KeyRecord } from './keys/record.js';

/** Reads and nested transactions go straight to the node's store. */
abstract class StoreView implements Store {
  constructor(protected readonly inner: Store) {}
  listUsers(): UserRecord[] {
    return this.inner.listUsers();
  }
  listUserSummaries(): UserView[] {
    return this.inner.listUserSummaries();
  }
  getUser(username: string): UserRecord | undefined {
    return this.inner.getUser(username);
  }
  countUsers(): number {
    return this.inner.countUsers();
  }
  lastAudit(): AuditEntry | undefined {
    return this.inner.lastAudit();
  }
  listAudit(limit?: number): AuditEntry[] {
    return this.inner.listAudit(limit);
  }
  getSetting(key: SettingKey): string | undefined {
    return this.inner.getSetting(key);
  }
  getKey(ref: number): KeyRecord | undefined {
    return this.inner.getKey(ref);
  }
  findKeys(
    viewer: KeyViewer,
    conditions: readonly KeyCondition[],
    page: { limit: number; offset: number },
  ): { keys: KeyRecord[]; total: number } {
    return this.inner.findKeys(viewer, conditions, page);
  }
  countKeys(owner?: string): number {
    return this.inner.countKeys(owner);
  }
  countAsymmetricKeys(): number {
    return this.inner.countAsymmetricKeys();
  }
  isTombstoned(ref: number): boolean {
    return this.inner.isTombstoned(ref);
  }
  keyInventory(): KeyInventory {
    return this.inner.keyInventory();
  }
  appendAudit(_entry: AuditEntry): void {
    throw new Error('operations do not write the audit log themselves');
  }
  close(): void {
    throw new Error('operations do not close the store');
  }
  abstract insertUser(user: UserRecord): void;
  abstract updateUser(user: UserRecord): void;
  abstract deleteUser(username: string): void;
  abstract setSetting(key: SettingKey, value: string): void;
  abstract allocateKeyRef(): number;
  abstract insertKey(key: KeyRecord): void;
  abstract updateKey(key: KeyRecord): void;
  abstract replaceKey(key: KeyRecord): void;
  abstract deleteKey(ref: number): void;
  abstract tombstoneKey(ref: number): void;
  abstract deleteSessionKeys(sessionId?: number): number;
  abstract transaction<T>(fn: () => T): T;
}

/**
 * A writing operation's store. Its outermost transaction appends the operation's audit entry as
 * its last statement, so the change and the entry commit together or not at all (a failing
 * append rolls the change back). A write outside a transaction is such a transaction of its own.
 * An operation commits at most once: a second commit would need a second entry for one request.
 */
export class AuditedStore extends StoreView {
  private depth = 0;
  /** The result recorded by the entry that committed with the change; undefined until then. */
  committedResult: string | undefined;

  /** `appendEntry` writes the entry (inside the transaction it is called in) and returns its result. */
  constructor(
    inner: Store,
    private readonly appendEntry: () => string,
  ) {
    super(inner);
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return this.inner.transaction(fn);
    if (this.committedResult !== undefined) throw new Error('an audited operation commits once');
    let result = '';
    const value = this.inner.transaction(() => {
      this.depth++;
      try {
        const value = fn();
        result = this.appendEntry();
        return value;
      } finally {
        this.depth--;
      }
    });
    this.committedResult = result;
    return value;
  }
  insertUser(user: UserRecord): void {
    this.write(() => this.inner.insertUser(user));
  }
  updateUser(user: UserRecord): void {
    this.write(() => this.inner.updateUser(user));
  }
  deleteUser(username: string): void {
    this.write(() => this.inner.deleteUser(username));
  }
  setSetting(key: SettingKey, value: string): void {
    this.write(() => this.inner.setSetting(key, value));
  }
  allocateKeyRef(): number {
    return this.write(() => this.inner.allocateKeyRef());
  }
  insertKey(key: KeyRecord): void {
    this.write(() => this.inner.insertKey(key));
  }
  updateKey(key: KeyRecord): void {
    this.write(() => this.inner.updateKey(key));
  }
  replaceKey(key: KeyRecord): void {
    this.write(() => this.inner.replaceKey(key));
  }
  deleteKey(ref: number): void {
    this.write(() => this.inner.deleteKey(ref));
  }
  tombstoneKey(ref: number): void {
    this.write(() => this.inner.tombstoneKey(ref));
  }
  deleteSessionKeys(sessionId?: number): number {
    return this.write(() => this.inner.deleteSessionKeys(sessionId));
  }
  private write<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    return this.transaction(fn);
  }
}

/** A read-only operation's store: a write is a bug (the descriptor should say `writes: true`). */
export class ReadOnlyStore extends StoreView {
  transaction<T>(fn: () => T): T {
    return this.inner.transaction(fn);
  }
  insertUser(_user: UserRecord): void {
    this.refuse();
  }
  updateUser(_user: UserRecord): void {
    this.refuse();
  }
  deleteUser(_username: string): void {
    this.refuse();
  }
  setSetting(_key: string, _value: string): void {
    this.refuse();
  }
  allocateKeyRef(): number {
    this.refuse();
  }
  insertKey(_key: KeyRecord): void {
    this.refuse();
  }
  updateKey(_key: KeyRecord): void {
    this.refuse();
  }
  replaceKey(_key: KeyRecord): void {
    this.refuse();
  }
  deleteKey(_ref: number): void {
    this.refuse();
  }
  tombstoneKey(_ref: number): void {
    this.refuse();
  }
  deleteSessionKeys(_sessionId?: number): number {
    this.refuse();
  }
  private refuse(): never {
    throw new Error('a read-only operation tried to write');
  }
}
