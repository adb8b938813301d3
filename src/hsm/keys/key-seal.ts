// The clone family's seal on a replicated key: the whole key record, bound to the destination cluster, its
// challenge and the key's reference, which only an HSM of the same clone family can make or open.
import crypto from 'node:crypto';
import { derive, familyOpen, familySeal } from '../replicate-seal.js';
import { KeyObjectSchema } from './copies.js';
import type { Masking } from './masking.js';
import { type KeyRecord, formatRef } from './record.js';

/** What a key seal is bound to: a replay on another cluster, challenge (so session) or reference does not open. */
export interface KeySealBinding {
  destinationClusterId: string;
  /** The destination HSM's key replicate challenge (base64), single-use and bound to its user's session. */
  challenge: string;
  ref: number;
}

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

export function sealKey(familyKey: Buffer, key: KeyRecord, binding: KeySealBinding): string {
  return familySeal(familyKey, 'key seal', aad(binding), body(key, key.material));
}

/** The key inside a seal made by this clone family for exactly `binding` (a token key); undefined otherwise. */
export function openKey(familyKey: Buffer, sealed: string, binding: KeySealBinding): KeyRecord | undefined {
  const text = familyOpen(familyKey, 'key seal', aad(binding), sealed);
  if (text === undefined) return undefined;
  const parsed = KeyObjectSchema.safeParse(JSON.parse(text));
  if (!parsed.success || parsed.data.ref !== binding.ref) return undefined;
  const { v: _v, material, version: _version, ...rest } = parsed.data;
  return { ...rest, sessionId: null, material: Buffer.from(material, 'base64') };
}
