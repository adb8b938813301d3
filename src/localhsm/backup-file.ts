// The backup file: a header line (format, cluster, HSM, time, size, SHA-256) then one HSM's SQLite database.
import crypto from 'node:crypto';
import { z } from 'zod';
import { HsmError } from '../errors.js';

const MAGIC = 'LOCALHSM-BACKUP v1\n';

const HeaderSchema = z
  .object({
    clusterId: z.string(),
    hsmId: z.string(),
    createdAt: z.string(),
    size: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type BackupHeader = z.infer<typeof HeaderSchema>;

export function encodeBackup(header: Omit<BackupHeader, 'size' | 'sha256'>, database: Buffer): Buffer {
  const full: BackupHeader = {
    ...header,
    size: database.length,
    sha256: crypto.createHash('sha256').update(database).digest('hex'),
  };
  return Buffer.concat([Buffer.from(MAGIC + JSON.stringify(full) + '\n'), database]);
}

/** Parses and checks a backup: any truncation or alteration is refused before anything is restored. */
export function decodeBackup(file: string, bytes: Buffer): { header: BackupHeader; database: Buffer } {
  const refuse = (detail: string) => new HsmError('ERR_BACKUP_INVALID', { file, detail });
  if (!bytes.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC)))
    throw refuse('it is not a LocalHSM backup');
  const end = bytes.indexOf(0x0a, MAGIC.length);
  if (end === -1) throw refuse('the header is truncated');
  let header: BackupHeader;
  try {
    header = HeaderSchema.parse(JSON.parse(bytes.subarray(MAGIC.length, end).toString('utf8')));
  } catch {
    throw refuse('the header is damaged');
  }
  const database = bytes.subarray(end + 1);
  if (database.length !== header.size)
    throw refuse(`it holds ${database.length} bytes of state, the header says ${header.size} (truncated?)`);
  const actual = crypto.createHash('sha256').update(database).digest('hex');
  if (actual !== header.sha256) throw refuse('the checksum does not match (the file was altered)');
  return { header, database };
}
