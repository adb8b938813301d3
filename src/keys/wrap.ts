// Key wrap mechanisms of `key wrap|unwrap` (spec §10.2): the payload is PKCS#8 DER for private keys and the raw
// bytes for secret keys; the functions here only see bytes.
//
// API (stable; keys-core and the wrap/unwrap commands build on it):
//   WRAP_MECHANISMS, wrappingKeyType(mechanism): 'aes' | 'rsa'
//   checkWrapParams(mechanism, params, operation: 'wrap' | 'unwrap'): void        (ERR_MECHANISM_PARAMETERS)
//   wrapKey(mechanism, wrappingKey, payload, params): { wrapped: Buffer; iv?: Buffer } (ERR_WRAP_PAYLOAD)
//   unwrapKey(mechanism, unwrappingKey, wrapped, params): Buffer                   (ERR_UNWRAP_FAILED)
// Keys: AES mechanisms take the raw AES key (16/24/32 bytes); RSA mechanisms take the public key to wrap
// (SPKI DER or KeyObject) and the private key to unwrap (PKCS#8 DER or KeyObject).
// Layouts (docs/decisions.md):
//   aes-gcm           ciphertext ‖ tag; the 96-bit IV is chosen here and returned as `iv`
//   aes-no-pad        RFC 3394 (IV A6A6A6A6A6A6A6A6); payload a multiple of 8 bytes, at least 16
//   aes-pkcs5-pad     PKCS#5 padding to a multiple of 8 (1–8 bytes), then RFC 3394; payload at least 8 bytes
//   aes-zero-pad      RFC 5649 (AES Key Wrap with Padding), as the spec's mechanism table says
//   cloudhsm-aes-gcm  IV (12) ‖ ciphertext ‖ tag; the IV travels inside the blob, no `iv` member
//   rsa-aes           RSA-OAEP(hash, MGF1(hash)) of a fresh AES-256 key ‖ RFC 5649 wrap of the payload
//   rsa-oaep          RSA-OAEP(hash, MGF1(hash)) of the payload
//   rsa-pkcs          RSA PKCS#1 v1.5 encryption of the payload
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import { HASH_BYTES, HASHES, type HashName, type KeyInput, type MgfName } from './sign.js';

export const WRAP_MECHANISMS = [
  'aes-gcm',
  'aes-no-pad',
  'aes-pkcs5-pad',
  'aes-zero-pad',
  'cloudhsm-aes-gcm',
  'rsa-aes',
  'rsa-oaep',
  'rsa-pkcs',
] as const;
export type WrapMechanism = (typeof WRAP_MECHANISMS)[number];

export interface WrapParams {
  /** aes-gcm, cloudhsm-aes-gcm: required. */
  tagLengthBits?: number;
  /** aes-gcm, cloudhsm-aes-gcm: additional authenticated data (the CLI's `--aad` hex). */
  aad?: Buffer;
  /** aes-gcm unwrap: the IV the wrap returned. */
  iv?: Buffer;
  /** rsa-aes, rsa-oaep: required. */
  hash?: HashName;
  /** rsa-aes, rsa-oaep: required, must be `mgf1-<hash>`. */
  mgf?: MgfName;
}

/** GCM tag lengths of NIST SP 800-38D §5.2.1.2 (all of which Node supports). */
export const GCM_TAG_BITS = [32, 64, 96, 104, 112, 120, 128] as const;
const GCM_IV_BYTES = 12;
const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
const KWP_IV = Buffer.from('A65959A6', 'hex');
/** The ephemeral AES key of rsa-aes (CKM_RSA_AES_KEY_WRAP's ulAESKeyBits). */
export const RSA_AES_KEY_BYTES = 32;

export function wrappingKeyType(mechanism: WrapMechanism): 'aes' | 'rsa' {
  return mechanism.startsWith('rsa-') ? 'rsa' : 'aes';
}

const paramError = (mechanism: string, detail: string) =>
  new HsmError('ERR_MECHANISM_PARAMETERS', { mechanism, detail });

export function checkWrapParams(
  mechanism: WrapMechanism,
  params: WrapParams,
  operation: 'wrap' | 'unwrap',
): void {
  if (!(WRAP_MECHANISMS as readonly string[]).includes(mechanism))
    throw paramError(
      String(mechanism),
      `unknown mechanism; possible values are ${WRAP_MECHANISMS.join(', ')}`,
    );
  if (mechanism === 'aes-gcm' || mechanism === 'cloudhsm-aes-gcm') {
    if (!(GCM_TAG_BITS as readonly number[]).includes(params.tagLengthBits ?? -1))
      throw paramError(mechanism, `tag length must be one of ${GCM_TAG_BITS.join(', ')} bits`);
    if (mechanism === 'aes-gcm' && operation === 'unwrap' && params.iv?.length !== GCM_IV_BYTES)
      throw paramError(mechanism, `the IV must be ${GCM_IV_BYTES} bytes (24 hex digits)`);
  }
  if (mechanism === 'rsa-aes' || mechanism === 'rsa-oaep') {
    if (!params.hash || !(HASHES as readonly string[]).includes(params.hash))
      throw paramError(mechanism, `hash function must be one of ${HASHES.join(', ')}`);
    if (params.mgf !== `mgf1-${params.hash}`)
      throw paramError(
        mechanism,
        `the mask generation function must match the hash function (mgf1-${params.hash})`,
      );
  }
}

function aesKey(mechanism: string, key: KeyInput): Buffer {
  const raw =
    key instanceof crypto.KeyObject ? (key.type === 'secret' ? key.export() : Buffer.alloc(0)) : key;
  if (![16, 24, 32].includes(raw.length)) throw paramError(mechanism, 'the wrapping key must be an AES key');
  return raw;
}

function rsaKey(mechanism: string, key: KeyInput, side: 'public' | 'private'): crypto.KeyObject {
  let k: crypto.KeyObject;
  if (key instanceof crypto.KeyObject)
    k = side === 'public' && key.type === 'private' ? crypto.createPublicKey(key) : key;
  else
    k =
      side === 'public'
        ? crypto.createPublicKey({ key, format: 'der', type: 'spki' })
        : crypto.createPrivateKey({ key, format: 'der', type: 'pkcs8' });
  if (k.asymmetricKeyType !== 'rsa') throw paramError(mechanism, 'the wrapping key must be an RSA key');
  return k;
}

const modulusBytes = (key: crypto.KeyObject) => Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);

function kw(key: Buffer, data: Buffer, pad: boolean, encrypt: boolean): Buffer {
  const name = `id-aes${key.length * 8}-wrap${pad ? '-pad' : ''}`;
  const c = encrypt
    ? crypto.createCipheriv(name, key, pad ? KWP_IV : KW_IV)
    : crypto.createDecipheriv(name, key, pad ? KWP_IV : KW_IV);
  return Buffer.concat([c.update(data), c.final()]);
}

function gcmSeal(key: Buffer, iv: Buffer, payload: Buffer, params: WrapParams): Buffer {
  const tagBytes = params.tagLengthBits! / 8;
  const c = crypto.createCipheriv(`aes-${key.length * 8}-gcm` as crypto.CipherGCMTypes, key, iv, {
    authTagLength: tagBytes,
  });
  if (params.aad) c.setAAD(params.aad);
  return Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
}

function gcmOpen(key: Buffer, iv: Buffer, sealed: Buffer, params: WrapParams): Buffer {
  const tagBytes = params.tagLengthBits! / 8;
  if (sealed.length < tagBytes) throw new Error('short');
  const d = crypto.createDecipheriv(`aes-${key.length * 8}-gcm` as crypto.CipherGCMTypes, key, iv, {
    authTagLength: tagBytes,
  });
  if (params.aad) d.setAAD(params.aad);
  d.setAuthTag(sealed.subarray(sealed.length - tagBytes));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - tagBytes)), d.final()]);
}

function oaep(key: crypto.KeyObject, hash: HashName, data: Buffer, encrypt: boolean): Buffer {
  const opts = { key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash };
  return encrypt ? crypto.publicEncrypt(opts, data) : crypto.privateDecrypt(opts, data);
}

/** RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2) on the raw RSA result: Node refuses the padded form. */
function pkcs1Decrypt(key: crypto.KeyObject, ciphertext: Buffer): Buffer {
  const k = modulusBytes(key);
  if (ciphertext.length !== k) throw new Error('length');
  const em = crypto.privateDecrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, ciphertext);
  const block = Buffer.concat([Buffer.alloc(k - em.length), em]);
  let sep = -1;
  let bad = (block[0]! !== 0 ? 1 : 0) | (block[1]! !== 2 ? 1 : 0);
  for (let i = 2; i < k; i++) if (sep < 0 && block[i] === 0) sep = i;
  bad |= sep < 10 ? 1 : 0; // at least 8 non-zero padding bytes
  if (bad) throw new Error('padding');
  return Buffer.from(block.subarray(sep + 1));
}

export function wrapKey(
  mechanism: WrapMechanism,
  wrappingKey: KeyInput,
  payload: Buffer,
  params: WrapParams = {},
): { wrapped: Buffer; iv?: Buffer } {
  checkWrapParams(mechanism, params, 'wrap');
  const tooLong = (detail: string) => new HsmError('ERR_WRAP_PAYLOAD', { mechanism, detail });
  switch (mechanism) {
    case 'aes-gcm': {
      const iv = crypto.randomBytes(GCM_IV_BYTES);
      return { wrapped: gcmSeal(aesKey(mechanism, wrappingKey), iv, payload, params), iv };
    }
    case 'cloudhsm-aes-gcm': {
      const iv = crypto.randomBytes(GCM_IV_BYTES);
      return { wrapped: Buffer.concat([iv, gcmSeal(aesKey(mechanism, wrappingKey), iv, payload, params)]) };
    }
    case 'aes-no-pad':
      if (payload.length % 8 !== 0 || payload.length < 16)
        throw tooLong(
          `the key is ${payload.length} bytes; this mechanism needs a multiple of 8 bytes, at least 16`,
        );
      return { wrapped: kw(aesKey(mechanism, wrappingKey), payload, false, true) };
    case 'aes-pkcs5-pad': {
      // RFC 3394 needs two 64-bit blocks: a key shorter than 8 bytes pads to one block only.
      if (payload.length < 8)
        throw tooLong(
          `the key is ${payload.length} bytes; this mechanism needs at least 8 (use aes-zero-pad)`,
        );
      const pad = 8 - (payload.length % 8);
      return {
        wrapped: kw(
          aesKey(mechanism, wrappingKey),
          Buffer.concat([payload, Buffer.alloc(pad, pad)]),
          false,
          true,
        ),
      };
    }
    case 'aes-zero-pad':
      return { wrapped: kw(aesKey(mechanism, wrappingKey), payload, true, true) };
    case 'rsa-aes': {
      const key = rsaKey(mechanism, wrappingKey, 'public');
      const ephemeral = crypto.randomBytes(RSA_AES_KEY_BYTES);
      try {
        return {
          wrapped: Buffer.concat([
            oaep(key, params.hash!, ephemeral, true),
            kw(ephemeral, payload, true, true),
          ]),
        };
      } finally {
        ephemeral.fill(0);
      }
    }
    case 'rsa-oaep': {
      const key = rsaKey(mechanism, wrappingKey, 'public');
      const max = modulusBytes(key) - 2 * HASH_BYTES[params.hash!] - 2;
      if (payload.length > max)
        throw tooLong(
          `the key is ${payload.length} bytes; RSA-OAEP with this key and ${params.hash} takes at most ${max} (use rsa-aes)`,
        );
      return { wrapped: oaep(key, params.hash!, payload, true) };
    }
    case 'rsa-pkcs': {
      const key = rsaKey(mechanism, wrappingKey, 'public');
      const max = modulusBytes(key) - 11;
      if (payload.length > max)
        throw tooLong(
          `the key is ${payload.length} bytes; RSA PKCS#1 v1.5 with this key takes at most ${max} (use rsa-aes)`,
        );
      return { wrapped: crypto.publicEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, payload) };
    }
  }
}

export function unwrapKey(
  mechanism: WrapMechanism,
  unwrappingKey: KeyInput,
  wrapped: Buffer,
  params: WrapParams = {},
): Buffer {
  checkWrapParams(mechanism, params, 'unwrap');
  // Key-type mistakes are parameter errors; everything after that is one opaque failure (no padding oracle).
  const aes = wrappingKeyType(mechanism) === 'aes' ? aesKey(mechanism, unwrappingKey) : undefined;
  const rsa = aes ? undefined : rsaKey(mechanism, unwrappingKey, 'private');
  try {
    switch (mechanism) {
      case 'aes-gcm':
        return gcmOpen(aes!, params.iv!, wrapped, params);
      case 'cloudhsm-aes-gcm':
        return gcmOpen(aes!, wrapped.subarray(0, GCM_IV_BYTES), wrapped.subarray(GCM_IV_BYTES), params);
      case 'aes-no-pad':
        return kw(aes!, wrapped, false, false);
      case 'aes-pkcs5-pad': {
        const padded = kw(aes!, wrapped, false, false);
        const pad = padded[padded.length - 1]!;
        if (
          pad < 1 ||
          pad > 8 ||
          pad > padded.length ||
          padded.subarray(padded.length - pad).some((b) => b !== pad)
        )
          throw new Error('padding');
        return padded.subarray(0, padded.length - pad);
      }
      case 'aes-zero-pad':
        return kw(aes!, wrapped, true, false);
      case 'rsa-aes': {
        const k = modulusBytes(rsa!);
        if (wrapped.length <= k) throw new Error('short');
        const ephemeral = oaep(rsa!, params.hash!, wrapped.subarray(0, k), false);
        try {
          if (![16, 24, 32].includes(ephemeral.length)) throw new Error('key');
          return kw(ephemeral, wrapped.subarray(k), true, false);
        } finally {
          ephemeral.fill(0);
        }
      }
      case 'rsa-oaep':
        return oaep(rsa!, params.hash!, wrapped, false);
      case 'rsa-pkcs':
        return pkcs1Decrypt(rsa!, wrapped);
    }
  } catch {
    throw new HsmError('ERR_UNWRAP_FAILED');
  }
}
