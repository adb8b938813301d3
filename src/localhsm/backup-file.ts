// The backup file: a header line (format, cluster, HSM, time, size, key id, IV, shared files) then one HSM's SQLite
// database and the cluster's shared files (CLONE_SHARED_FILES), encrypted and authenticated with AES-256-GCM under
// a key derived from the cluster's backup key.
import crypto from 'node:crypto';
import { z } from 'zod';
import { HsmError } from '../errors.js';
import type { SharedFile } from './shared-files.js';

const MAGIC = 'LOCALHSM-BACKUP v2\n';
/** Backups of LocalHSM before backup keys: plain database and an unkeyed SHA-256 anyone can recompute. */
const LEGACY_MAGIC = 'LOCALHSM-BACKUP v1\n';

const HeaderSchema = z
  .object({
    clusterId: z.string(),
    hsmId: z.string(),
    createdAt: z.string(),
    size: z.number().int().positive(),
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    iv: z.string().regex(/^[0-9a-f]{24}$/),
    /**
     * The state directory's shared files that follow the database, in order. Absent when there are none, so
     * such a backup is exactly what LocalHSM wrote before shared files.
     */
    files: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
            size: z.number().int().nonnegative(),
          })
          .strict(),
      )
      .max(32)
      .optional(),
  })
  .strict();
export type BackupHeader = z.infer<typeof HeaderSchema>;

const LegacyHeaderSchema = z
  .object({
    clusterId: z.string(),
    hsmId: z.string(),
    createdAt: z.string(),
    size: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

const TAG_BYTES = 16;

/** Separate keys for encryption and for naming the key, both derived from the backup key (HKDF-SHA256). */
function derive(backupKey: Buffer, label: string, bytes: number): Buffer {
  return Buffer.from(
    crypto.hkdfSync('sha256', backupKey, Buffer.alloc(0), `localhsm backup v2 ${label}`, bytes),
  );
}

/** A short, public name of a backup key: tells "wrong key" apart from "altered file". */
export const backupKeyId = (backupKey: Buffer): string => derive(backupKey, 'key id', 8).toString('hex');

export function encodeBackup(
  header: Pick<BackupHeader, 'clusterId' | 'hsmId' | 'createdAt'>,
  database: Buffer,
  backupKey: Buffer,
  files: readonly SharedFile[] = [],
): Buffer {
  const iv = crypto.randomBytes(12);
  const full: BackupHeader = {
    ...header,
    size: database.length,
    keyId: backupKeyId(backupKey),
    iv: iv.toString('hex'),
    ...(files.length > 0 && { files: files.map((f) => ({ name: f.name, size: f.data.length })) }),
  };
  const head = Buffer.from(MAGIC + JSON.stringify(full) + '\n');
  const cipher = crypto.createCipheriv('aes-256-gcm', derive(backupKey, 'aes-256-gcm', 32), iv);
  // The header is authenticated too: no field of it can be changed either.
  cipher.setAAD(head);
  const plain = Buffer.concat([database, ...files.map((f) => f.data)]);
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([head, body]);
}

export interface DecodeOptions {
  /** The backup key of the cluster that made the backup. */
  key?: Buffer;
  /** Accept a legacy (v1) backup, whose checksum anyone could have recomputed. */
  allowUnauthenticated?: boolean;
}

/** Parses, authenticates and decrypts a backup: any alteration, or the wrong key, is refused before anything is restored. */
export function decodeBackup(
  file: string,
  bytes: Buffer,
  options: DecodeOptions,
): {
  header: Pick<BackupHeader, 'clusterId' | 'hsmId' | 'createdAt'>;
  database: Buffer;
  files: SharedFile[];
  legacy: boolean;
} {
  const refuse = (detail: string) => new HsmError('ERR_BACKUP_INVALID', { file, detail });
  if (bytes.subarray(0, LEGACY_MAGIC.length).equals(Buffer.from(LEGACY_MAGIC))) {
    if (!options.allowUnauthenticated)
      throw refuse(
        'it is an unauthenticated backup of an earlier LocalHSM (v1: no backup key, anyone can edit it and fix its checksum); restore it only if you trust the file, with --allow-unauthenticated',
      );
    return { ...decodeLegacy(bytes, refuse), files: [], legacy: true };
  }
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
  if (!options.key)
    throw refuse(
      "it is encrypted under the backup key of the cluster that made it: give that key with --key-file (localhsm backup key export, or that cluster's backup.key)",
    );
  if (backupKeyId(options.key) !== header.keyId)
    throw refuse(
      `it was made with another backup key (key id ${header.keyId}; the given key is ${backupKeyId(options.key)})`,
    );
  const body = bytes.subarray(end + 1);
  const listed = header.files ?? [];
  const expected = header.size + listed.reduce((sum, f) => sum + f.size, 0);
  if (body.length !== expected + TAG_BYTES)
    throw refuse(
      `it holds ${Math.max(0, body.length - TAG_BYTES)} bytes of state, the header says ${expected} (truncated?)`,
    );
  const decipher = crypto.createDecipheriv(
    'aes-256-gcm',
    derive(options.key, 'aes-256-gcm', 32),
    Buffer.from(header.iv, 'hex'),
  );
  decipher.setAAD(bytes.subarray(0, end + 1));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw refuse('it does not verify under the backup key (the file was altered)');
  }
  const files: SharedFile[] = [];
  let at = header.size;
  for (const f of listed) {
    files.push({ name: f.name, data: plain.subarray(at, at + f.size) });
    at += f.size;
  }
  const { clusterId, hsmId, createdAt } = header;
  return {
    header: { clusterId, hsmId, createdAt },
    database: plain.subarray(0, header.size),
    files,
    legacy: false,
  };
}

function decodeLegacy(bytes: Buffer, refuse: (detail: string) => HsmError) {
  const end = bytes.indexOf(0x0a, LEGACY_MAGIC.length);
  if (end === -1) throw refuse('the header is truncated');
  let header: z.infer<typeof LegacyHeaderSchema>;
  try {
    header = LegacyHeaderSchema.parse(JSON.parse(bytes.subarray(LEGACY_MAGIC.length, end).toString('utf8')));
  } catch {
    throw refuse('the header is damaged');
  }
  const database = bytes.subarray(end + 1);
  if (database.length !== header.size)
    throw refuse(`it holds ${database.length} bytes of state, the header says ${header.size} (truncated?)`);
  const actual = crypto.createHash('sha256').update(database).digest('hex');
  if (actual !== header.sha256) throw refuse('the checksum does not match (the file was altered)');
  const { clusterId, hsmId, createdAt } = header;
  return { header: { clusterId, hsmId, createdAt }, database };
}
