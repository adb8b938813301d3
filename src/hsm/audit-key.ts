// The HSM's audit key file (audit.key, 0600 in its data directory): created with the HSM, or on first start for
// an HSM made before keyed audit logs; never copied to another HSM (a clone gets its own).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { createFileOnce } from '../files/atomic-write.js';
import type { AuditKey } from './audit.js';
import { dataFiles } from './data-files.js';
import type { Store } from './store/store.js';

const KeyFileSchema = z
  .object({
    version: z.literal(1),
    key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
    fromSeq: z.number().int().min(1),
  })
  .strict();

/** The audit key of the HSM whose data directory is `dataDir`, or undefined when it has none yet. */
export function readAuditKey(dataDir: string): AuditKey | undefined {
  const file = dataFiles(dataDir).auditKey;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed;
  try {
    parsed = KeyFileSchema.parse(JSON.parse(text));
  } catch {
    throw new Error(`${file} is not a LocalHSM audit key file`);
  }
  return { key: Buffer.from(parsed.key, 'base64'), fromSeq: parsed.fromSeq };
}

/**
 * The HSM's audit key, created when missing: entries from the next one on are keyed, and the ones
 * already in the log (none for a new HSM; inherited ones for a clone) are committed to by their hashes.
 */
export function ensureAuditKey(dataDir: string, store: Store): { auditKey: AuditKey; created: boolean } {
  const existing = readAuditKey(dataDir);
  if (existing) return { auditKey: existing, created: false };
  const auditKey: AuditKey = { key: crypto.randomBytes(32), fromSeq: (store.lastAudit()?.seq ?? 0) + 1 };
  const text = JSON.stringify({
    version: 1,
    key: auditKey.key.toString('base64'),
    fromSeq: auditKey.fromSeq,
  });
  const file = dataFiles(dataDir).auditKey;
  // Never over an existing key: a node that lost the race keeps the winner's.
  if (!createFileOnce(file, text + '\n')) return { auditKey: readAuditKey(dataDir)!, created: false };
  return { auditKey, created: true };
}
