// Opens an HSM's state for its node: the database checked with quick_check, and the audit key (made on first start).
import { type AuditKey, chainEntry } from './audit.js';
import { ensureAuditKey } from './audit-key.js';
import { dataFiles } from './data-files.js';
import { isProvisioned } from './provision.js';
import { SqliteStore } from './store/sqlite.js';

/** Why a database cannot be served, in one line (the node logs it and exits non-zero). */
function damaged(file: string, detail: string): Error {
  return new Error(
    `${file} is damaged (quick_check: ${detail.split('\n')[0]!.slice(0, 200)}); the HSM does not start — restore it from a backup or remove this HSM`,
  );
}

export function openNodeState(dataDir: string): { store: SqliteStore; auditKey: AuditKey } {
  const file = dataFiles(dataDir).db;
  let store: SqliteStore;
  try {
    store = new SqliteStore(file);
  } catch (error) {
    throw damaged(file, (error as Error).message);
  }
  try {
    // quick_check reads every page (O(n), without the index cross-checks of integrity_check).
    let verdict: string;
    try {
      const rows = store.database.pragma('quick_check') as { quick_check: string }[];
      verdict = rows.map((r) => r.quick_check).join('; ');
    } catch (error) {
      verdict = (error as Error).message;
    }
    if (verdict !== 'ok') throw damaged(file, verdict);
    if (!isProvisioned(store)) throw new Error(`${file} holds no provisioned HSM`);
    const { auditKey, created } = ensureAuditKey(dataDir, store);
    // An HSM made before keyed audit logs: this first keyed entry commits to every earlier one.
    if (created && auditKey.fromSeq > 1) {
      store.transaction(() => {
        const fields = {
          time: new Date().toISOString(),
          actor: '-',
          operation: 'audit-key-create',
          target: '',
          result: 'ok',
        };
        store.appendAudit(chainEntry(store.lastAudit(), fields, auditKey));
      });
    }
    return { store, auditKey };
  } catch (error) {
    store.close();
    throw error;
  }
}
