// The cluster masking key file (masking.key, 0600 in each HSM's data directory): one key per cluster, copied to
// every HSM of it and to its clones (hsm add), so a sealed key copy opens on every HSM of the cluster.
import fs from 'node:fs';
import { z } from 'zod';
import { createFileOnce } from '../../files/atomic-write.js';
import { newMaskingKey } from '../../keys/masking.js';
import { dataFiles } from '../data-files.js';
import { Masking } from './masking.js';

const FileSchema = z
  .object({ version: z.literal(1), key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/) })
  .strict();

/** The masking key of the HSM in `dataDir`, or undefined when it has none (then it refuses key operations). */
export function readMaskingKey(dataDir: string): Masking | undefined {
  const file = dataFiles(dataDir).maskingKey;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return new Masking(Buffer.from(FileSchema.parse(JSON.parse(text)).key, 'base64'));
  } catch {
    throw new Error(`${file} is not a LocalHSM masking key file`);
  }
}

/**
 * Gives the HSM in `dataDir` the cluster's masking key: the one in `fromDir` (another HSM of the cluster)
 * when it has one, else a new key (the cluster's first HSM). Never replaces a key already there.
 */
export function ensureMaskingKey(dataDir: string, fromDir: string | undefined): void {
  const file = dataFiles(dataDir).maskingKey;
  if (fs.existsSync(file)) return;
  const source = fromDir === undefined ? undefined : dataFiles(fromDir).maskingKey;
  const text =
    source && fs.existsSync(source)
      ? fs.readFileSync(source, 'utf8')
      : JSON.stringify({ version: 1, key: newMaskingKey().toString('base64') }) + '\n';
  createFileOnce(file, text);
}
