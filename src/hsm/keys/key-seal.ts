// The clone family's seal on a replicated key: the whole key record, bound to the destination cluster, its
// challenge and the key's reference, which only an HSM of the same clone family can make or open.
import crypto from 'node:crypto';
import { z } from 'zod';
import { derive } from '../replicate-seal.js';
import type { Masking } from './masking.js';
import { type KeyRecord, formatRef } from './record.js';

/** What a key seal is bound to: a replay on another cluster, challenge (so session) or reference does not open. */
export interface KeySealBinding {
  destinationClusterId: string;
  /** The destination HSM's key replicate challenge (base64), single-use and bound to its user's session. */
  challenge: string;
  ref: number;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

const SealedKeySchema = z
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
  })
  .strict();

/**
 * Everything the key is, in a fixed order. `material` is the record's own value: the masked blob for private
 * and secret keys (clones share the masking key and the reference is kept, so it opens there as it is).
 */
function body(key: KeyRecord, material: Buffer): string {
  return JSON.stringify({
    v: 1,
    ref: key.ref,
    keyType: key.keyType,
    keyClass: key.keyClass,
    label: key.label,
    owner: key.owner,
    shared: key.shared,
    manageQuorum: key.manageQuorum,
    useQuorum: key.useQuorum,
    attributes: key.attributes,
    material: material.toString('base64'),
  });
}

/** The material in clear (private/secret: opened here, never returned), for comparing two HSMs' copies. */
export function clearMaterial(masking: Masking, key: KeyRecord): Buffer {
  return key.keyClass === 'public-key' ? key.material : masking.openMaterial(key.ref, key.material);
}

/**
 * A keyed digest of the whole key (material compared opened: the same key masked twice differs by its IV), so
 * the client can tell whether the source's HSMs agree without learning anything about the material.
 */
export function keyDigest(familyKey: Buffer, masking: Masking, key: KeyRecord): string {
  const material = crypto.createHash('sha256').update(clearMaterial(masking, key)).digest();
  // Attributes by name: two HSMs that agree on every value agree, whatever order their rows keep.
  const attributes = Object.fromEntries(
    Object.entries(key.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return crypto
    .createHmac('sha256', derive(familyKey, 'key digest'))
    .update(body({ ...key, attributes }, material))
    .digest('hex');
}

const aad = (b: KeySealBinding) =>
  Buffer.from(JSON.stringify(['key-replicate', b.destinationClusterId, b.challenge, formatRef(b.ref)]));

/** AES-256-GCM under the family's key seal key: the client carries it and can neither read nor change it. */
export function sealKey(familyKey: Buffer, key: KeyRecord, binding: KeySealBinding): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', derive(familyKey, 'key seal'), iv);
  cipher.setAAD(aad(binding));
  const sealed = Buffer.concat([
    cipher.update(body(key, key.material), 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return Buffer.concat([iv, sealed]).toString('base64');
}

/** The key inside a seal made by this clone family for exactly `binding` (a token key); undefined otherwise. */
export function openKey(familyKey: Buffer, sealed: string, binding: KeySealBinding): KeyRecord | undefined {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  const decipher = crypto.createDecipheriv(
    'aes-256-gcm',
    derive(familyKey, 'key seal'),
    bytes.subarray(0, IV_BYTES),
  );
  decipher.setAAD(aad(binding));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  let text: string;
  try {
    text = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
  const parsed = SealedKeySchema.safeParse(JSON.parse(text));
  if (!parsed.success || parsed.data.ref !== binding.ref) return undefined;
  const { v: _v, material, ...rest } = parsed.data;
  return { ...rest, sessionId: null, material: Buffer.from(material, 'base64') };
}
