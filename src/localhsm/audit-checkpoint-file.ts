// The audit checkpoint file: each HSM's log head (sequence number and hash) at one moment, kept outside the state dir.
import { z } from 'zod';
import { HsmError } from '../errors.js';
import { readTextFile } from '../files/read-input.js';
import type { AuditCheckpoint } from '../hsm/audit.js';

const MAX_CHECKPOINT_BYTES = 1 << 20;

const CheckpointFileSchema = z
  .object({
    version: z.literal(1),
    clusterId: z.string(),
    createdAt: z.string(),
    hsms: z.array(
      z
        .object({
          hsmId: z.string(),
          seq: z.number().int().min(0),
          hash: z.string().regex(/^[0-9a-f]{64}$/),
        })
        .strict(),
    ),
  })
  .strict();
export type CheckpointFile = z.infer<typeof CheckpointFileSchema>;

export function encodeCheckpoint(clusterId: string, hsms: readonly AuditCheckpoint[]): string {
  const file: CheckpointFile = {
    version: 1,
    clusterId,
    createdAt: new Date().toISOString(),
    hsms: [...hsms],
  };
  return JSON.stringify(file, null, 2) + '\n';
}

export function readCheckpoint(file: string): CheckpointFile {
  const refuse = (detail: string) => new HsmError('ERR_FILE', { action: 'use the checkpoint', file, detail });
  const text = readTextFile(file, 'use the checkpoint', MAX_CHECKPOINT_BYTES);
  try {
    return CheckpointFileSchema.parse(JSON.parse(text));
  } catch {
    throw refuse('it is not a LocalHSM audit checkpoint (localhsm audit checkpoint writes one)');
  }
}
