// Seeded keys: what a seed says about one key (generated, or imported from a PEM for test fixtures), the key
// material made once for the whole cluster, and the records each HSM stores, built as key-generate builds them.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import type { DerivedKeyType } from '../keys/derived.js';
import {
  type Curve,
  type UnwrappedMaterial,
  checkCurve,
  checkRsaParameters,
  checkSecretLength,
  generateEcPair,
  generateRsaPair,
  generateSecret,
  materialForUnwrap,
} from '../keys/material.js';
import { type ImportedPublicKey, parsePublicKeyPem } from '../keys/pem.js';
import { buildAttributes, checkKeyQuorum, checkLabel, parseCreationAttributes } from './keys/create.js';
import { requireKeyRoom } from './keys/limits.js';
import type { Masking } from './keys/masking.js';
import type { KeyRecord } from './keys/record.js';
import { shareTargets } from './keys/users.js';
import { parseUsername } from './rules.js';
import type { Store } from './store/store.js';

export const SEED_KEY_TYPES = ['rsa', 'ec', 'aes', 'generic-secret'] as const;
export type SeedKeyType = (typeof SEED_KEY_TYPES)[number];

/** Where a seeded key comes from. */
export type SeedKeySource =
  | { kind: 'generate'; type: 'rsa'; modulusSizeBits: number; publicExponent: number }
  | { kind: 'generate'; type: 'ec'; curve: string }
  | { kind: 'generate'; type: 'aes' | 'generic-secret'; keyLengthBytes: number }
  /** A public key (SPKI or PKCS#1 PEM), as `key import pem` takes it. */
  | { kind: 'import-public'; pem: string }
  /** A private key (PKCS#8, PKCS#1 or SEC1 PEM, unencrypted): stored with its public half, both `local=false`. */
  | { kind: 'import-private'; pem: string };

/** One key object of a seeded key: the public and private halves of a pair, or the one key. */
export interface SeedKeyPart {
  keyClass: KeyRecord['keyClass'];
  label: string;
  /** `NAME=VALUE` words, as `--attributes` takes them. */
  attributes: readonly string[];
}

export interface SeedKeyState {
  owner: string;
  /** Crypto users the key (the private key of a pair) is shared with. */
  share: readonly string[];
  manageQuorum?: number;
  useQuorum?: number;
  source: SeedKeySource;
  /** Public key first, as key-generate creates a pair. */
  parts: readonly SeedKeyPart[];
}

/** A seeded key's material: made once, so every HSM of the cluster stores the same key. */
export interface SeedKeyMaterial {
  keyType: DerivedKeyType;
  curve?: Curve;
  /** Generated here (true) or imported (false). */
  local: boolean;
  /** Clear material per part (SPKI DER, PKCS#8 DER or the secret), in the order of `parts`. */
  clear: readonly Buffer[];
}

/** The classes of the key objects a source makes. */
export function seedKeyClasses(source: SeedKeySource): KeyRecord['keyClass'][] {
  if (source.kind === 'import-public') return ['public-key'];
  if (source.kind === 'import-private') return ['public-key', 'private-key'];
  return source.type === 'rsa' || source.type === 'ec' ? ['public-key', 'private-key'] : ['secret-key'];
}

/** The checks on a generated key's parameters (the same functions key-generate uses). */
export function checkSeedKeyParameters(source: SeedKeySource): void {
  if (source.kind !== 'generate') return;
  if (source.type === 'rsa') checkRsaParameters(source.modulusSizeBits, source.publicExponent);
  else if (source.type === 'ec') checkCurve(source.curve);
  else checkSecretLength(source.type, source.keyLengthBytes);
}

/** An imported public key, RSA or EC as the PEM says (or as `type` demands). */
export function parseSeedPublicKey(pem: string, type?: SeedKeyType): ImportedPublicKey {
  let detected = type;
  if (detected === undefined) {
    try {
      detected = crypto.createPublicKey(pem).asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
    } catch {
      detected = 'rsa'; // parsePublicKeyPem then says what is wrong with the text
    }
  }
  if (detected !== 'rsa' && detected !== 'ec')
    throw new HsmError('ERR_PEM_INVALID', { detail: `a ${detected} key has no public key to import` });
  return parsePublicKeyPem(pem, detected === 'ec' ? 'ec-public' : 'rsa-public');
}

/** An imported private key, checked as `key unwrap` checks an unwrapped one (RSA 2048–4096, supported curves). */
export function parseSeedPrivateKey(pem: string, type?: SeedKeyType): UnwrappedMaterial {
  const bad = (detail: string) => new HsmError('ERR_PEM_INVALID', { detail });
  if (/ENCRYPTED/.test(pem)) throw bad('the private key is encrypted; give it unencrypted');
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw bad('no readable private key (PKCS#8, PKCS#1 or SEC1 PEM) found');
  }
  const kind = key.asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
  if (type !== undefined && type !== kind)
    throw bad(
      `it is ${key.asymmetricKeyType === 'ec' ? 'an EC' : `an ${key.asymmetricKeyType}`} key, not ${type}`,
    );
  const der = key.export({ type: 'pkcs8', format: 'der' });
  try {
    return materialForUnwrap(kind === 'ec' ? 'ec-private' : 'rsa-private', der);
  } finally {
    der.fill(0);
  }
}

/** Generates or reads the material of each seeded key (RSA generation off the event loop, in parallel). */
export async function seedKeyMaterial(keys: readonly SeedKeyState[]): Promise<SeedKeyMaterial[]> {
  return Promise.all(
    keys.map(async ({ source }): Promise<SeedKeyMaterial> => {
      switch (source.kind) {
        case 'import-public': {
          const k = parseSeedPublicKey(source.pem);
          return {
            keyType: k.keyType,
            ...(k.curve && { curve: k.curve }),
            local: false,
            clear: [k.publicDer],
          };
        }
        case 'import-private': {
          const k = parseSeedPrivateKey(source.pem);
          return {
            keyType: k.keyType,
            ...(k.curve && { curve: k.curve }),
            local: false,
            clear: [k.publicDer!, k.material],
          };
        }
        case 'generate':
          if (source.type === 'rsa') {
            const m = await generateRsaPair(source.modulusSizeBits, source.publicExponent);
            return { keyType: 'rsa', local: true, clear: [m.publicDer, m.privateDer] };
          }
          if (source.type === 'ec') {
            checkCurve(source.curve);
            const m = generateEcPair(source.curve);
            return { keyType: 'ec', curve: source.curve, local: true, clear: [m.publicDer, m.privateDer] };
          }
          return {
            keyType: source.type,
            local: true,
            clear: [generateSecret(source.type, source.keyLengthBytes)],
          };
      }
    }),
  );
}

/**
 * Stores one seeded key on this HSM (inside the seed's transaction, after its users) with the rules of the
 * creating operations: the owner is a crypto user, shares and quorum values as on creation, attributes as
 * `--attributes`, the HSM type's key limit. Returns the key objects stored, public key first.
 */
export function insertSeedKey(
  store: Store,
  masking: Masking,
  key: SeedKeyState,
  material: SeedKeyMaterial,
): KeyRecord[] {
  const owner = parseUsername(key.owner);
  if (store.getUser(owner)?.role !== 'crypto-user')
    throw new HsmError('ERR_STATE', {
      detail: `seed: the owner of a key must be a crypto user; ${owner} is not`,
    });
  const shared = shareTargets(store, owner, key.share);
  const quorum = checkKeyQuorum(key.manageQuorum, key.useQuorum, 1 + shared.length);
  const parts = key.parts.map((part) => {
    const given = parseCreationAttributes(part.attributes, part.keyClass);
    if (given.token === false)
      throw new HsmError('ERR_STATE', {
        detail: 'seed: a seeded key is a token key (token=false is refused)',
      });
    return { ...part, label: checkLabel(part.label), given };
  });
  if (parts.length !== material.clear.length)
    throw new HsmError('ERR_STATE', { detail: 'seed: the key material does not match the key' });
  requireKeyRoom(
    store,
    parts.map((p) => p.keyClass),
  );
  return parts.map((part, i) => {
    const ref = store.allocateKeyRef();
    // Shares and quorum values apply to the private key of a pair (spec §2.3), as key-generate does.
    const isPublic = part.keyClass === 'public-key';
    const common = {
      ref,
      keyType: material.keyType,
      keyClass: part.keyClass,
      label: part.label,
      owner,
      shared: isPublic ? [] : shared,
      manageQuorum: isPublic ? 0 : quorum.manageQuorum,
      useQuorum: isPublic ? 0 : quorum.useQuorum,
      sessionId: null,
    };
    const clear = material.clear[i]!;
    const record: KeyRecord = {
      ...common,
      attributes: buildAttributes({
        ...common,
        clear,
        ...(material.curve && { curve: material.curve }),
        local: material.local,
        given: part.given,
      }),
      material: isPublic ? Buffer.from(clear) : masking.sealMaterial(ref, clear),
    };
    store.insertKey(record);
    return record;
  });
}
