// In-memory Store for unit tests: same contract as SQLite, nothing on disk.
import type { Store, UserRecord } from './store.js';

export class MemoryStore implements Store {
  private users = new Map<string, UserRecord>();
  private settings = new Map<string, string>();

  listUsers(): UserRecord[] {
    return [...this.users.values()].map((u) => ({ ...u }));
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
  getSetting(key: string): string | undefined {
    return this.settings.get(key);
  }
  setSetting(key: string, value: string): void {
    this.settings.set(key, value);
  }
  transaction<T>(fn: () => T): T {
    const users = new Map([...this.users].map(([k, v]) => [k, { ...v }]));
    const settings = new Map(this.settings);
    try {
      return fn();
    } catch (error) {
      this.users = users;
      this.settings = settings;
      throw error;
    }
  }
  close(): void {}
}
