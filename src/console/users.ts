// The users of one HSM as `user list` shows them, read from the HSM's SQLite file (read-only, beside the running
// node, as audit verify reads the log): one query per HSM, never a hash or a key.
import Database from 'better-sqlite3';
import type { Role, UserView } from '../protocol/types.js';

type Row = [string, string, number, number, number];

/** A read-only handle on one HSM's database, kept between pages (each query sees the latest commit). */
export class UserReader {
  private readonly db: Database.Database;
  private readonly query: Database.Statement<[], Row>;

  constructor(readonly file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.query = this.db
      .prepare<[], Row>(
        `SELECT username, role, locked, mfa_public_key IS NOT NULL, quorum_public_key IS NOT NULL
         FROM users ORDER BY seq`,
      )
      .raw(true);
  }

  read(): UserView[] {
    return this.query.all().map(([username, role, locked, mfa, quorum]) => ({
      username,
      role: role as Role,
      locked: locked === 1,
      mfa: mfa === 1,
      quorum: quorum === 1,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
