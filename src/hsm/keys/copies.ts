// Sealed key copies: how a token key created on one HSM reaches the others through the client (spec §14.1).
import { z } from 'zod';
import { HsmError } from '../../errors.js';
import type { Masking } from './masking.js';
import { type KeyRecord, formatRef, parseRef } from './record.js';

/** A key object as it travels between HSMs, in a sealed copy or a clone family's seal. */
export const KeyObjectSchema = z
  .object({
    v: z.literal(1),
    ref: z.number().int().min(1),
    keyType: z.string(),
    keyClass: z.enum(['public-key', 'private-key', 'secret-key']),
    label: z.string(),
    owner: z.string(),
    shared: z.array(z.string()),
    manageQuorum: z.number().int(),
    useQuorum: z.number().int(),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    material: z.string(),
    // Absent in copies made before keys had versions.
    version: z.number().int().min(0).optional(),
  })
  .strict();

/** `<reference>.<base64>`: the reference in clear (it is the AAD), the key object sealed. */
export function sealCopy(masking: Masking, clusterId: string, key: KeyRecord): string {
  const { sessionId: _session, material, ...rest } = key;
  const body = JSON.stringify({
    v: 1,
    ...rest,
    material: material.toString('base64'),
    version: key.version ?? 0,
  });
  return `${formatRef(key.ref)}.${masking.sealCopy(clusterId, key.ref, Buffer.from(body)).toString('base64')}`;
}

export function openCopy(masking: Masking, clusterId: string, copy: string): KeyRecord {
  const dot = copy.indexOf('.');
  const ref = dot > 0 ? parseRef(copy.slice(0, dot)) : undefined;
  if (ref === undefined || ref <= 0) throw new HsmError('ERR_KEY_BLOB', { detail: 'not a key copy' });
  let clear: Buffer;
  try {
    clear = masking.openCopy(clusterId, ref, Buffer.from(copy.slice(dot + 1), 'base64'));
  } catch {
    throw new HsmError('ERR_KEY_BLOB', { detail: 'it was not sealed by an HSM of this cluster' });
  }
  const parsed = KeyObjectSchema.parse(JSON.parse(clear.toString('utf8')));
  if (parsed.ref !== ref) throw new HsmError('ERR_KEY_BLOB', { detail: 'the reference does not match' });
  const { v: _v, material, version, ...rest } = parsed;
  return {
    ...rest,
    sessionId: null,
    material: Buffer.from(material, 'base64'),
    ...(version ? { version } : {}),
  };
}
