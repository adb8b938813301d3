// The console's fault drills (hsm stop / start, run by the localhsm functions it is given), each recorded in the
// HSM's own audit log as done from the console.
import { paths } from '../cluster/state-dir.js';
import { chainEntry } from '../hsm/audit.js';
import { ensureAuditKey } from '../hsm/audit-key.js';
import { SqliteStore } from '../hsm/store/sqlite.js';
import type { HsmActions } from './app.js';

/** What localhsm's cluster manager does for `hsm stop` and `hsm start` (the console does not import it back). */
export interface NodeControl {
  /** Stops the HSM; whether it was running. */
  stop(hsmId: string): Promise<boolean>;
  /** Starts the HSM and waits until it answers (throws when it does not). */
  start(hsmId: string): Promise<void>;
}

/**
 * Appends `console-hsm-stop` / `console-hsm-start` to the HSM's hash-chained, keyed log. In one immediate
 * transaction that reads the head, so it chains correctly even while the node (another process) writes.
 */
export function recordConsoleAction(
  stateDir: string,
  hsmId: string,
  operation: string,
  result: string,
): void {
  const files = paths(stateDir).hsm(hsmId);
  const store = new SqliteStore(files.db);
  try {
    const { auditKey } = ensureAuditKey(files.dir, store);
    store.transaction(() => {
      const fields = { time: new Date().toISOString(), actor: '-', operation, target: hsmId, result };
      store.appendAudit(chainEntry(store.lastAudit(), fields, auditKey));
    });
  } finally {
    store.close();
  }
}

export function consoleActions(stateDir: string, control: NodeControl): HsmActions {
  return {
    async stop(hsmId) {
      const stopped = await control.stop(hsmId);
      recordConsoleAction(stateDir, hsmId, 'console-hsm-stop', stopped ? 'ok' : 'not running');
      return stopped ? `${hsmId} stopped.` : `${hsmId} was not running.`;
    },
    async start(hsmId) {
      try {
        await control.start(hsmId);
      } catch (error) {
        recordConsoleAction(stateDir, hsmId, 'console-hsm-start', 'ERR_STATE');
        throw error;
      }
      recordConsoleAction(stateDir, hsmId, 'console-hsm-start', 'ok');
      return `${hsmId} is up.`;
    },
  };
}
