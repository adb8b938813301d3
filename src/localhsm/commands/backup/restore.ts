// localhsm backup restore: a new cluster (new CA and identities) whose HSMs all start from a verified backup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLONE_SHARED_FILES, HSM_SHARED_FILES, hasCluster, paths } from '../../../cluster/state-dir.js';
import { HsmError } from '../../../errors.js';
import { describeFsError } from '../../../files/fs-error.js';
import { readInputFile } from '../../../files/read-input.js';

import { isProvisioned } from '../../../hsm/provision.js';
import { readSetting, settingsAreValid } from '../../../hsm/settings.js';
import { SqliteStore } from '../../../hsm/store/sqlite.js';
import { decodeBackup } from '../../backup-file.js';
import { readBackupKeyFile } from '../../backup-key.js';
import { DEFAULT_BASE_PORT, createCluster, ensurePrivateDir } from '../../cluster-manager.js';
import { cloneFrom } from '../../clone.js';
import { unknownSharedFile, writeSharedFiles } from '../../shared-files.js';
import { assertUsableForNewCluster } from '../../owned-files.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';

/** Larger than the state of any cluster LocalHSM holds (1,024 users per HSM); a FIFO or device is refused. */
const MAX_BACKUP_BYTES = 1024 * 1024 * 1024;

export const backupRestoreCommand = localCommand({
  path: ['backup', 'restore'],
  about:
    'Restore a backup into a new cluster in an empty state directory (start it with localhsm up); the file must verify under the backup key given with --key-file',
  positionals: [{ name: 'FILE', help: 'The backup file', required: true }],
  examples: ['localhsm backup restore cluster.bak --state /tmp/c2 --key-file /secure/place/backup.key'],
  options: [
    STATE_OPTION,
    { long: 'hsms', value: 'N', help: 'Number of HSMs of the new cluster [default: 3]' },
    {
      long: 'key-file',
      value: 'KEY',
      help: "The backup key of the cluster that made the backup (localhsm backup key export, or that cluster's backup.key)",
    },
    {
      long: 'allow-unauthenticated',
      help: 'Also restore a backup of an earlier LocalHSM (v1), which has no key: anyone could have edited it',
    },
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
      bytes = readInputFile(file, MAX_BACKUP_BYTES);
    } catch (error) {
      throw new HsmError('ERR_BACKUP_INVALID', { file, detail: describeFsError(error) });
    }
    const keyFile = options.string('key-file');
    // Progress on stderr (a large cluster takes a while); stdout keeps its two lines for scripts.
    ctx.err(`Verifying ${file} (${bytes.length} bytes) ...`);
    const { header, database, files, legacy } = decodeBackup(file, bytes, {
      key: keyFile === undefined ? undefined : readBackupKeyFile(path.resolve(keyFile)),
      allowUnauthenticated: options.flag('allow-unauthenticated'),
    });
    const unknown = unknownSharedFile(files, [...CLONE_SHARED_FILES, ...HSM_SHARED_FILES]);
    if (unknown !== undefined)
      throw new HsmError('ERR_BACKUP_INVALID', {
        file,
        detail: `it carries a state file this LocalHSM does not know (${unknown}); restore it with the LocalHSM that made it`,
      });
    if (legacy) ctx.err(`warning: ${file} is an unauthenticated v1 backup; restoring it as you asked`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-restore-'));
    try {
      const source = path.join(tmp, 'hsm.db');
      fs.writeFileSync(source, database, { mode: 0o600 });
      const store = new SqliteStore(source);
      const ok =
        isProvisioned(store) &&
        (store.database.pragma('integrity_check', { simple: true }) as string) === 'ok' &&
        settingsAreValid(store);
      const kdf = ok ? readSetting(store, 'kdf') : undefined;
      // The restored cluster is of the backed-up HSM's type (its cfg `type` says so too).
      const hsmType = ok ? readSetting(store, 'hsm_type') : undefined;
      const mode = ok ? readSetting(store, 'hsm_mode') : undefined;
      store.close();
      if (kdf === undefined)
        throw new HsmError('ERR_BACKUP_INVALID', {
          file,
          detail: 'the state inside is not a consistent HSM database',
        });
      assertUsableForNewCluster(dir);
      ensurePrivateDir(dir, ctx.err);
      const hsms = Number(options.string('hsms') ?? '3');
      const clone = cloneFrom(source, `backup of ${header.hsmId}`);
      let restored = 0;
      const manifest = await createCluster(
        dir,
        {
          hsms,
          kdf,
          ...(hsmType && { hsmType }),
          ...(mode && { mode }),
          basePort: Number(options.string('base-port') ?? DEFAULT_BASE_PORT),
          progress: ctx.err,
        },
        async (dbFile, identity) => {
          ctx.err(
            `Restoring HSM ${++restored} of ${hsms} (${identity.hsmId}) from the backup of ${header.hsmId} ...`,
          );
          await clone(dbFile, identity);
        },
      );
      // The clone shares the source's cluster-wide secrets (CLONE_SHARED_FILES), as it shares its users.
      writeSharedFiles(
        dir,
        files.filter((f) => CLONE_SHARED_FILES.includes(f.name)),
      );
      // Every HSM of the clone gets the backed-up masking key over the one createCluster made, so its keys open.
      const hsmFiles = files.filter((f) => HSM_SHARED_FILES.includes(f.name));
      for (const hsm of manifest.hsms)
        writeSharedFiles(paths(dir).hsm(hsm.id).dir, hsmFiles, HSM_SHARED_FILES);
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
