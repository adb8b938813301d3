// The cluster's backup key (backup.key, 0600 in the state directory): 32 random bytes that encrypt and authenticate
// its backups. Created with the cluster, or on first use for a cluster made before backups were keyed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { paths } from '../cluster/state-dir.js';
import { HsmError } from '../errors.js';
import { createFileOnce } from '../files/atomic-write.js';
import { readTextFile } from '../files/read-input.js';

const PREFIX = 'localhsm-backup-key v1 ';
const LINE = /^localhsm-backup-key v1 ([0-9a-f]{64})\s*$/;

export const encodeBackupKey = (key: Buffer): string => `${PREFIX}${key.toString('hex')}\n`;

/** Reads a backup key file (the cluster's own, or one written by localhsm backup key export). */
export function readBackupKeyFile(file: string): Buffer {
  const refuse = (detail: string) => new HsmError('ERR_FILE', { action: 'use the backup key', file, detail });
  const text = readTextFile(file, 'use the backup key', 4096);
  const match = LINE.exec(text);
  if (!match) throw refuse('it is not a LocalHSM backup key (localhsm backup key export writes one)');
  return Buffer.from(match[1]!, 'hex');
}

/** The cluster's backup key, created (0600, never over an existing one) when missing. */
export function ensureBackupKey(dir: string): Buffer {
  const file = paths(dir).backupKey;
  if (fs.existsSync(file)) return readBackupKeyFile(file);
  const key = crypto.randomBytes(32);
  if (!createFileOnce(file, encodeBackupKey(key))) return readBackupKeyFile(file);
  return key;
}
