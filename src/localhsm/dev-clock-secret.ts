// The control secret of a --dev-clock cluster (dev-clock.secret, 0600 in the state directory): localhsm time
// presents it to move the HSMs' clock; each HSM keeps only its SHA-256. Made with the cluster, or on first use.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { paths, readManifest } from '../cluster/state-dir.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { devClockSecretHash, isDevClockNode } from '../hsm/dev-clock.js';
import { writeSetting } from '../hsm/settings.js';
import { SqliteStore } from '../hsm/store/sqlite.js';

/**
 * The cluster's control secret. When the file is missing (a cluster made before it existed, or restored
 * from a backup) a new one is made and given to every dev-clock HSM whose state is in this directory.
 */
export function ensureDevClockSecret(dir: string): string {
  const file = paths(dir).devClockSecret;
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = crypto.randomBytes(32).toString('hex');
  let devClockHsms = 0;
  for (const hsm of readManifest(dir).hsms) {
    const db = paths(dir).hsm(hsm.id).db;
    if (!fs.existsSync(db)) continue;
    const store = new SqliteStore(db);
    try {
      if (!isDevClockNode(store)) continue;
      writeSetting(store, 'dev_clock_secret_sha256', devClockSecretHash(secret));
      devClockHsms++;
    } finally {
      store.close();
    }
  }
  // Not a dev-clock cluster: nothing to protect (its HSMs refuse every move anyway).
  if (devClockHsms === 0) return '';
  // Written last: a file present means every local HSM knows it.
  writeFileAtomic(file, `${secret}\n`, 0o600);
  return secret;
}
