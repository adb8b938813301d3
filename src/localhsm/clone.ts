// Cloning an HSM's state (SQLite online backup) into a new HSM with its own identity: hsm add and backup restore.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chainEntry } from '../hsm/audit.js';
import { ensureAuditKey } from '../hsm/audit-key.js';
import type { HsmIdentity } from '../hsm/provision.js';
import { writeSettings } from '../hsm/settings.js';
import { SqliteStore } from '../hsm/store/sqlite.js';
import type { StateMaker } from './cluster-manager.js';

/** Copies a live (or stopped) HSM database consistently, even while its node is writing. */
export async function snapshotDatabase(sourceDb: string, targetDb: string): Promise<void> {
  const source = new Database(sourceDb, { readonly: true, fileMustExist: true });
  try {
    await source.backup(targetDb);
  } finally {
    source.close();
  }
  fs.chmodSync(targetDb, 0o600);
}

/** A StateMaker that clones `sourceDb` and gives the copy the new HSM's identity (and cluster). */
export function cloneFrom(sourceDb: string, sourceLabel: string): StateMaker {
  return async (dbFile: string, identity: HsmIdentity) => {
    await snapshotDatabase(sourceDb, dbFile);
    const store = new SqliteStore(dbFile);
    try {
      // Its own audit key: the inherited entries (keyed by the source) are committed to by the clone entry.
      const { auditKey } = ensureAuditKey(path.dirname(dbFile), store);
      store.transaction(() => {
        writeSettings(store, {
          hsm_id: identity.hsmId,
          serial_number: identity.serialNumber,
          cluster_id: identity.clusterId,
        });
        const fields = {
          time: new Date().toISOString(),
          actor: '-',
          operation: 'hsm-clone',
          target: sourceLabel,
          result: 'ok',
        };
        store.appendAudit(chainEntry(store.lastAudit(), fields, auditKey));
      });
    } finally {
      store.close();
    }
  };
}
