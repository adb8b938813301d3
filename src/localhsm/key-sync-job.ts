// A node's server-side key sync job: every few seconds, one pass of the mover that brings into this HSM the token
// keys it missed and the deletions it missed (spec §14.1 "periodically clones keys to every HSM in the cluster").
import { hasCluster, readManifest } from '../cluster/state-dir.js';
import { DEFAULT_KEY_SYNC_SECONDS, syncClusterKeys } from './key-sync.js';

export interface KeySyncJob {
  stop(): Promise<void>;
}

/** `seconds`: LOCALHSM_KEY_SYNC_SECONDS as given (a positive number), else the default. */
export function startKeySyncJob(
  stateDir: string,
  hsmId: string,
  seconds: string | undefined,
  log: (line: string) => void,
): KeySyncJob {
  const parsed = Number(seconds);
  const interval =
    seconds !== undefined && parsed > 0 && parsed <= 86_400 ? parsed : DEFAULT_KEY_SYNC_SECONDS;
  let running: Promise<void> | undefined;
  const pass = async () => {
    // The manifest is read on every pass, so HSMs added or removed since the node started are seen.
    if (!hasCluster(stateDir)) return;
    const manifest = readManifest(stateDir);
    if (!manifest.hsms.some((h) => h.id === hsmId)) return;
    const report = await syncClusterKeys(stateDir, manifest, [hsmId]);
    if (report.copied || report.updated || report.deleted)
      log(`key sync: ${report.copied} keys copied in, ${report.updated} updated, ${report.deleted} deleted`);
    if (report.conflicts.length)
      log(`key sync: different keys under the same reference on two HSMs: ${report.conflicts.join(', ')}`);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = pass()
      .catch((error: unknown) => log(`key sync failed: ${(error as Error).message}`))
      .finally(() => {
        running = undefined;
      });
  }, interval * 1000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
