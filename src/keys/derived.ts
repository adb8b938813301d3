// The derived key attributes of spec §2.7: check-value, key-length-bytes and the type-specific members.
//
// API (stable; keys-core builds on it):
//   deriveAttributes(key: KeyMaterialRef): DerivedAttributes
//     check-value, key-length-bytes, then RSA public-exponent, modulus, modulus-size-bits or EC ec-point, curve
//     (members in the documented attribute order, so callers can spread them after the boolean attributes)
//   checkValue(key), spkiFromRsa(modulusHex, exponentHex), spkiFromEcPoint(curve, pointHex), ecPointDer(raw)
// Material is PKCS#8 DER for private keys, SPKI DER for public keys and the raw bytes for secret keys.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import { ed25519RawPublic } from './eddsa.js';
import { isCurve, opensslCurve, type Curve } from './material.js';
import { ML_DSA_SIZES, mlDsaPrivateKey, mlDsaPublicFromPrivate, mlDsaPublicKey } from './ml-dsa.js';

export type DerivedKeyType = 'rsa' | 'ec' | 'aes' | 'generic-secret' | 'des3' | 'ml-dsa';
export type KeyClass = 'public-key' | 'private-key' | 'secret-key';

export interface KeyMaterialRef {
  keyType: DerivedKeyType;
  class: KeyClass;
  material: Buffer;
  /** EC keys: the name given at generation, echoed as `curve` (spec §2.2); defaults to OpenSSL's name. */
  curve?: Curve | 'ed25519';
}

export interface DerivedAttributes {
  'check-value': string;
  'key-length-bytes': number;
  'public-exponent'?: string;
  modulus?: string;
  'modulus-size-bits'?: number;
  'ec-point'?: string;
  curve?: string;
  /** ML-DSA keys: shown between `private` and `sensitive` (spec §2.5). */
  'mldsa-algorithm'?: string;
}

/**
 * What `check-value` shows for a generic secret: the documentation says "KCV for HMAC keys is not supported",
 * so it is the empty hex string, printed the way an empty `id` is (`"0x"`; docs/decisions.md).
 */
export const NO_CHECK_VALUE = '0x';

const hex = (b: Buffer): string => '0x' + b.toString('hex');

function publicKeyOf(key: KeyMaterialRef): crypto.KeyObject {
  return key.class === 'private-key'
    ? crypto.createPublicKey(crypto.createPrivateKey({ key: key.material, format: 'der', type: 'pkcs8' }))
    : crypto.createPublicKey({ key: key.material, format: 'der', type: 'spki' });
}

/** Spec §2.7: SHA-1(SPKI)[0:3] for both halves of a pair; AES-ECB(key, zero block)[0:3]; 3DES likewise. */
export function checkValue(key: KeyMaterialRef): string {
  switch (key.keyType) {
    case 'aes': {
      const c = crypto.createCipheriv(`aes-${key.material.length * 8}-ecb`, key.material, null);
      c.setAutoPadding(false);
      return hex(c.update(Buffer.alloc(16)).subarray(0, 3));
    }
    case 'des3': {
      const c = crypto.createCipheriv('des-ede3-ecb', key.material, null);
      c.setAutoPadding(false);
      return hex(c.update(Buffer.alloc(8)).subarray(0, 3));
    }
    case 'generic-secret':
      return NO_CHECK_VALUE;
    case 'ml-dsa': {
      const spki = key.class === 'private-key' ? mlDsaPublicFromPrivate(key.material) : key.material;
      return hex(crypto.createHash('sha1').update(spki).digest().subarray(0, 3));
    }
    default: {
      const spki = publicKeyOf(key).export({ type: 'spki', format: 'der' });
      return hex(crypto.createHash('sha1').update(spki).digest().subarray(0, 3));
    }
  }
}

/** Minimal big-endian hex with an even number of digits (`0x010001`), as `public-exponent` prints. */
function evenHex(b: Buffer): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return hex(b.subarray(i));
}

/** DER OCTET STRING around a raw EC point: the `ec-point` form of real output (spec §2.7, §17.4). */
export function ecPointDer(point: Buffer): Buffer {
  const len = point.length;
  const header =
    len < 0x80
      ? Buffer.from([0x04, len])
      : len < 0x100
        ? Buffer.from([0x04, 0x81, len])
        : Buffer.from([0x04, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([header, point]);
}

/** The raw uncompressed point 04‖X‖Y of an EC public key: the BIT STRING that ends its SPKI. */
export function rawEcPoint(publicKey: crypto.KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // SEQUENCE { SEQUENCE algorithm, BIT STRING (00 ‖ point) }: skip the outer header and the algorithm.
  let pos = derHeaderEnd(spki, 0);
  pos = derHeaderEnd(spki, pos) + derLength(spki, pos);
  const start = derHeaderEnd(spki, pos);
  return Buffer.from(spki.subarray(start + 1, start + derLength(spki, pos)));
}

function derLength(der: Buffer, pos: number): number {
  const first = der[pos + 1]!;
  if (first < 0x80) return first;
  let len = 0;
  for (let i = 0; i < (first & 0x7f); i++) len = len * 256 + der[pos + 2 + i]!;
  return len;
}

function derHeaderEnd(der: Buffer, pos: number): number {
  const first = der[pos + 1]!;
  return pos + 2 + (first < 0x80 ? 0 : first & 0x7f);
}

export function deriveAttributes(key: KeyMaterialRef): DerivedAttributes {
  const kcv = checkValue(key);
  if (key.class === 'secret-key') return { 'check-value': kcv, 'key-length-bytes': key.material.length };
  if (key.keyType === 'ml-dsa') {
    // Spec §2.7: the raw FIPS 204 sizes, both halves.
    const { algorithm } =
      key.class === 'private-key' ? mlDsaPrivateKey(key.material) : mlDsaPublicKey(key.material);
    return {
      'check-value': kcv,
      'key-length-bytes': ML_DSA_SIZES[algorithm][key.class === 'private-key' ? 'secretKey' : 'publicKey'],
      'mldsa-algorithm': algorithm,
    };
  }
  const pub = publicKeyOf(key);
  if (pub.asymmetricKeyType === 'ed25519') {
    // docs/decisions.md: the 32-byte point A as a DER OCTET STRING (as for the other curves), its raw length
    // as the public key-length-bytes, the PKCS#8 length (48) as the private one.
    const point = ed25519RawPublic(pub);
    return {
      'check-value': kcv,
      'key-length-bytes': key.class === 'private-key' ? key.material.length : point.length,
      'ec-point': hex(ecPointDer(point)),
      curve: 'ed25519',
    };
  }
  if (key.keyType === 'rsa') {
    const jwk = pub.export({ format: 'jwk' });
    const n = Buffer.from(jwk.n as string, 'base64url');
    const bits = pub.asymmetricKeyDetails?.modulusLength ?? n.length * 8;
    return {
      'check-value': kcv,
      // Spec §2.7/§17.5: RSA public keys show 512 for RSA-2048 (2 × modulus bytes), unexplained; extrapolated.
      'key-length-bytes': key.class === 'private-key' ? key.material.length : 2 * Math.ceil(bits / 8),
      'public-exponent': evenHex(Buffer.from(jwk.e as string, 'base64url')),
      modulus: evenHex(n),
      'modulus-size-bits': bits,
    };
  }
  if (key.keyType === 'ec') {
    const point = rawEcPoint(pub);
    const named = pub.asymmetricKeyDetails?.namedCurve ?? '';
    return {
      'check-value': kcv,
      'key-length-bytes': key.class === 'private-key' ? key.material.length : point.length,
      'ec-point': hex(ecPointDer(point)),
      curve: key.curve ?? named,
    };
  }
  throw new HsmError('ERR_KEY_PARAMETERS', { detail: `a ${key.keyType} key is not a ${key.class}` });
}

const fromHex = (h: string): Buffer => Buffer.from(h.replace(/^0x/i, ''), 'hex');

/** SPKI DER of the RSA public key with this modulus and exponent (hex, `0x` optional). */
export function spkiFromRsa(modulusHex: string, exponentHex = '0x010001'): Buffer {
  const jwk = {
    kty: 'RSA',
    n: fromHex(modulusHex).toString('base64url'),
    e: fromHex(exponentHex).toString('base64url'),
  };
  return crypto.createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}

const JWK_CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  secp256k1: 'secp256k1',
};

/** SPKI DER of the EC public key with this point (raw 04‖X‖Y or its DER OCTET STRING, hex). */
export function spkiFromEcPoint(curve: string, pointHex: string): Buffer {
  if (!isCurve(curve)) throw new HsmError('ERR_KEY_PARAMETERS', { detail: `unsupported curve ${curve}` });
  let raw = fromHex(pointHex);
  if (raw[0] === 0x04 && raw.length > 2 && raw[1] === raw.length - 2) raw = raw.subarray(2);
  else if (raw[0] === 0x04 && raw[1] === 0x81 && raw[2] === raw.length - 3) raw = raw.subarray(3);
  const ossl = opensslCurve(curve);
  const jwkCurve = JWK_CURVES[ossl];
  if (jwkCurve) {
    const size = (raw.length - 1) / 2;
    const jwk = {
      kty: 'EC',
      crv: jwkCurve,
      x: raw.subarray(1, 1 + size).toString('base64url'),
      y: raw.subarray(1 + size).toString('base64url'),
    };
    return crypto.createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  }
  // JWK has no name for secp224r1: build the SPKI by hand (id-ecPublicKey, the curve's OID, the point).
  const oid = Buffer.from('06052b81040021', 'hex'); // secp224r1 1.3.132.0.33
  const algId = derSeq(Buffer.concat([Buffer.from('06072a8648ce3d0201', 'hex'), oid]));
  const bitString = Buffer.concat([Buffer.from([0x03, raw.length + 1, 0x00]), raw]);
  const spki = derSeq(Buffer.concat([algId, bitString]));
  return crypto
    .createPublicKey({ key: spki, format: 'der', type: 'spki' })
    .export({ type: 'spki', format: 'der' });
}

function derSeq(body: Buffer): Buffer {
  const len = body.length;
  const header = len < 0x80 ? Buffer.from([0x30, len]) : Buffer.from([0x30, 0x81, len]);
  return Buffer.concat([header, body]);
}
