// In-memory Store for unit tests: same contract as SQLite, nothing on disk.
import type { AuditEntry } from '../audit.js';
import type { UserView } from '../../protocol/types.js';
import { AUDIT_HEAD_SETTING, type Store, type UserRecord, summarizeUser } from './store.js';
import type { SettingKey } from '../settings.js';

export class MemoryStore implements Store {
  private users = new Map<string, UserRecord>();
  private settings = new Map<SettingKey, string>();
  private audit: AuditEntry[] = [];

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
  transaction<T>(fn: () => T): T {
    const users = new Map([...this.users].map(([k, v]) => [k, { ...v }]));
    const settings = new Map(this.settings);
    const audit = [...this.audit];
    try {
      return fn();
    } catch (error) {
      this.users = users;
      this.settings = settings;
      this.audit = audit;
      throw error;
    }
  }
  close(): void {}
}
