// localhsm backup create: a consistent copy of one HSM's state (online; the node keeps serving), encrypted and
// authenticated under the cluster's backup key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paths, readManifest } from '../../../cluster/state-dir.js';
import { writeFileAtomic } from '../../../files/atomic-write.js';
import { encodeBackup } from '../../backup-file.js';
import { ensureBackupKey } from '../../backup-key.js';
import { snapshotDatabase } from '../../clone.js';
import { readSharedFiles } from '../../shared-files.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { HSM_OPTION, selectHsms } from '../../select-hsms.js';

export const backupCreateCommand = localCommand({
  path: ['backup', 'create'],
  about:
    "Back up the cluster's state (users, MFA and quorum keys, settings) from one HSM into a file (0600), encrypted and authenticated with the cluster's backup key",
  options: [
    { long: 'out', value: 'FILE', required: true, help: 'The backup file to write' },
    { ...HSM_OPTION, help: 'The HSM to back up [default: the first HSM]' },
    STATE_OPTION,
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const manifest = readManifest(dir);
    const [hsm] = selectHsms(manifest, options);
    const backupKey = ensureBackupKey(dir);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-backup-'));
    try {
      const copy = path.join(tmp, 'hsm.db');
      await snapshotDatabase(paths(dir).hsm(hsm!.id).db, copy);
      const bytes = encodeBackup(
        { clusterId: manifest.clusterId, hsmId: hsm!.id, createdAt: new Date().toISOString() },
        fs.readFileSync(copy),
        backupKey,
        readSharedFiles(dir),
      );
      const out = path.resolve(options.required('out'));
      writeFileAtomic(out, bytes, 0o600);
      ctx.out(`Backed up ${hsm!.id} of ${manifest.clusterId} to ${out} (${bytes.length} bytes).`);
      ctx.err(
        `It is encrypted with the cluster's backup key ${paths(dir).backupKey}: restoring it needs that key (localhsm backup key export --out FILE to keep a copy elsewhere).`,
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return 0;
  },
});
