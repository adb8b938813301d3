// The key table of one HSM as the console shows it: metadata only, read from the HSM's SQLite file (never the
// `material` or `attributes` columns). Written against keys-core's `keys` table; an HSM without it has no keys yet.
import Database from 'better-sqlite3';

export interface KeySummary {
  ref: string;
  label: string;
  keyType: string;
  keyClass: string;
  owner: string;
  shared: string[];
  manageQuorum: number;
  useQuorum: number;
}

type Row = [number, string, string, string, string, string, number, number];

function open(file: string): Database.Database | undefined {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'keys'").get();
    if (table) return db;
    db.close();
  } catch {
    // A missing or unreadable file shows as "no key table" (the cluster page says the HSM's state).
  }
  return undefined;
}

/** The token keys of the HSM whose database is `file`, in reference order; undefined without a key table. */
export function readKeySummaries(file: string): KeySummary[] | undefined {
  const db = open(file);
  if (!db) return undefined;
  try {
    const rows = db
      .prepare<[], Row>(
        `SELECT ref, label, key_type, class, owner, shared, manage_quorum, use_quorum
         FROM keys WHERE session_id IS NULL ORDER BY ref`,
      )
      .raw(true)
      .all();
    return rows.map(([ref, label, keyType, keyClass, owner, shared, manageQuorum, useQuorum]) => ({
      ref: `0x${ref.toString(16).padStart(16, '0')}`,
      label,
      keyType,
      keyClass,
      owner,
      shared: parseShared(shared),
      manageQuorum,
      useQuorum,
    }));
  } finally {
    db.close();
  }
}

/** How many token keys the HSM holds (the cluster page), or undefined without a key table. */
export function countKeys(file: string): number | undefined {
  const db = open(file);
  if (!db) return undefined;
  try {
    return (db.prepare('SELECT count(*) AS n FROM keys WHERE session_id IS NULL').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function parseShared(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
