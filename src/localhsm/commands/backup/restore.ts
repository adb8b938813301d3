// localhsm backup restore: a new cluster (new CA and identities) whose HSMs all start from a verified backup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasCluster } from '../../../cluster/state-dir.js';
import { HsmError } from '../../../errors.js';
import { isKdfProfile } from '../../../hsm/password.js';
import { isProvisioned } from '../../../hsm/provision.js';
import { SqliteStore } from '../../../hsm/store/sqlite.js';
import { decodeBackup } from '../../backup-file.js';
import { DEFAULT_BASE_PORT, createCluster, ensurePrivateDir } from '../../cluster-manager.js';
import { cloneFrom } from '../../clone.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';

export const backupRestoreCommand = localCommand({
  path: ['backup', 'restore'],
  about: 'Restore a backup into a new cluster in an empty state directory (start it with localhsm up)',
  positionals: [{ name: 'FILE', help: 'The backup file', required: true }],
  options: [
    STATE_OPTION,
    { long: 'hsms', value: 'N', help: 'Number of HSMs of the new cluster [default: 3]' },
    {
      long: 'base-port',
      value: 'PORT',
      help: `First port to try; 0 picks any free ports [default: ${DEFAULT_BASE_PORT}]`,
    },
  ],
  async run(options, ctx) {
    const file = path.resolve(options.positionals[0]!);
    const dir = stateDirOf(options, ctx);
    if (hasCluster(dir))
      throw new HsmError('ERR_STATE', {
        detail: `${dir} already holds a cluster; restore into an empty directory`,
      });
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      throw new HsmError('ERR_BACKUP_INVALID', { file, detail: 'it cannot be read' });
    }
    const { header, database } = decodeBackup(file, bytes);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-restore-'));
    try {
      const source = path.join(tmp, 'hsm.db');
      fs.writeFileSync(source, database, { mode: 0o600 });
      const store = new SqliteStore(source);
      const kdf = store.getSetting('kdf') ?? '';
      const ok =
        isProvisioned(store) &&
        (store.database.pragma('integrity_check', { simple: true }) as string) === 'ok';
      store.close();
      if (!ok || !isKdfProfile(kdf))
        throw new HsmError('ERR_BACKUP_INVALID', {
          file,
          detail: 'the state inside is not a consistent HSM database',
        });
      ensurePrivateDir(dir, ctx.err);
      const manifest = await createCluster(
        dir,
        {
          hsms: Number(options.string('hsms') ?? '3'),
          kdf,
          basePort: Number(options.string('base-port') ?? DEFAULT_BASE_PORT),
          progress: ctx.err,
        },
        cloneFrom(source, `backup of ${header.hsmId}`),
      );
      ctx.out(
        `Restored the backup of ${header.hsmId} (${header.clusterId}, ${header.createdAt}) into new cluster ${manifest.clusterId}.`,
      );
      ctx.out(`Start it with: localhsm up --state ${dir}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return 0;
  },
});
