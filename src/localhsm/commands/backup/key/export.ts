// localhsm backup key export: a copy of the cluster's backup key (0600), to restore its backups elsewhere.
import path from 'node:path';
import { readManifest } from '../../../../cluster/state-dir.js';
import { writeFileAtomic } from '../../../../files/atomic-write.js';
import { backupKeyId } from '../../../backup-file.js';
import { encodeBackupKey, ensureBackupKey } from '../../../backup-key.js';
import { type LocalCommand, STATE_OPTION, stateDirOf } from '../../../context.js';

export const backupKeyExportCommand: LocalCommand = {
  path: ['backup', 'key', 'export'],
  about:
    "Write the cluster's backup key to a file (0600): keep it apart from the backups; backup restore --key-file needs it",
  options: [{ long: 'out', value: 'FILE', required: true, help: 'The key file to write' }, STATE_OPTION],
  examples: [
    'localhsm backup key export --out /secure/place/backup.key',
    'localhsm backup restore cluster.bak --state /tmp/c2 --key-file /secure/place/backup.key',
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const manifest = readManifest(dir);
    const key = ensureBackupKey(dir);
    const out = path.resolve(options.required('out'));
    writeFileAtomic(out, encodeBackupKey(key), 0o600);
    ctx.out(`Backup key of ${manifest.clusterId} (key id ${backupKeyId(key)}) written to ${out}.`);
    return 0;
  },
};
