// Key material: generation of RSA/EC pairs and AES/generic secrets, and validation of material that comes in.
//
// API (stable; keys-core builds on it):
//   generateRsaPair(modulusBits, publicExponent = 65537): Promise<KeyPairMaterial>   (off the event loop)
//   generateRsaPairSync(modulusBits, publicExponent = 65537): KeyPairMaterial
//   generateEcPair(curve): KeyPairMaterial
//   generateSecret(keyType: 'aes' | 'generic-secret', lengthBytes): Buffer
//   checkRsaParameters / checkCurve / checkSecretLength: throw ERR_KEY_PARAMETERS with the allowed values
//   publicFromPrivate(privateDer): Buffer (SPKI DER)
//   materialForUnwrap(keyTypeClass, bytes): UnwrappedMaterial   (checks an unwrapped payload, see below)
// Private keys are PKCS#8 `PrivateKeyInfo` DER, public keys SPKI DER, secret keys their raw bytes: the payload
// encodings of key wrap (spec §10.1), so a stored key can be wrapped without conversion.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';

export interface KeyPairMaterial {
  /** PKCS#8 PrivateKeyInfo DER. */
  privateDer: Buffer;
  /** SubjectPublicKeyInfo DER. */
  publicDer: Buffer;
}

/** The curve names `--curve` takes (spec §2.2); `secp256r1` and `prime256v1` are one curve. */
export const CURVES = [
  'prime256v1',
  'secp256r1',
  'secp224r1',
  'secp384r1',
  'secp256k1',
  'secp521r1',
] as const;
export type Curve = (typeof CURVES)[number];

/** OpenSSL's name of a curve (Node reports and takes these). */
export function opensslCurve(curve: Curve): string {
  return curve === 'secp256r1' ? 'prime256v1' : curve;
}

export function isCurve(name: string): name is Curve {
  return (CURVES as readonly string[]).includes(name);
}

export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;
export const RSA_STEP_BITS = 256;
/** Node (OpenSSL's RSA_generate_key_ex through a uint32) takes exponents up to 2^32 - 1. */
export const RSA_MAX_EXPONENT = 0xffffffff;
export const AES_LENGTHS = [16, 24, 32] as const;
export const GENERIC_SECRET_MAX = 800;
export const DES3_LENGTH = 24;

export function checkRsaParameters(modulusBits: number, publicExponent: number): void {
  if (
    !Number.isInteger(modulusBits) ||
    modulusBits < RSA_MIN_BITS ||
    modulusBits > RSA_MAX_BITS ||
    modulusBits % RSA_STEP_BITS !== 0
  )
    throw new HsmError('ERR_KEY_PARAMETERS', {
      detail: `modulus-size-bits must be ${RSA_MIN_BITS} to ${RSA_MAX_BITS} in steps of ${RSA_STEP_BITS}, got ${modulusBits}`,
    });
  if (
    !Number.isInteger(publicExponent) ||
    publicExponent < 65537 ||
    publicExponent > RSA_MAX_EXPONENT ||
    publicExponent % 2 === 0
  )
    throw new HsmError('ERR_KEY_PARAMETERS', {
      detail: `public-exponent must be odd, at least 65537 and at most ${RSA_MAX_EXPONENT}, got ${publicExponent}`,
    });
}

export function checkCurve(curve: string): asserts curve is Curve {
  if (!isCurve(curve))
    throw new HsmError('ERR_KEY_PARAMETERS', {
      detail: `curve must be one of ${CURVES.join(', ')}, got ${curve}`,
    });
}

export function checkSecretLength(keyType: 'aes' | 'generic-secret' | 'des3', lengthBytes: number): void {
  const ok =
    keyType === 'aes'
      ? (AES_LENGTHS as readonly number[]).includes(lengthBytes)
      : keyType === 'des3'
        ? lengthBytes === DES3_LENGTH
        : Number.isInteger(lengthBytes) && lengthBytes >= 1 && lengthBytes <= GENERIC_SECRET_MAX;
  if (!ok)
    throw new HsmError('ERR_KEY_PARAMETERS', {
      detail:
        keyType === 'aes'
          ? `an AES key is ${AES_LENGTHS.join(', ')} bytes long, got ${lengthBytes}`
          : keyType === 'des3'
            ? `a DES3 key is ${DES3_LENGTH} bytes long, got ${lengthBytes}`
            : `a generic secret is 1 to ${GENERIC_SECRET_MAX} bytes long, got ${lengthBytes}`,
    });
}

export function generateRsaPairSync(modulusBits: number, publicExponent = 65537): KeyPairMaterial {
  checkRsaParameters(modulusBits, publicExponent);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: modulusBits,
    publicExponent,
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return { privateDer: privateKey, publicDer: publicKey };
}

/** RSA generation takes 50 ms to seconds: this runs it on libuv's thread pool. */
export function generateRsaPair(modulusBits: number, publicExponent = 65537): Promise<KeyPairMaterial> {
  checkRsaParameters(modulusBits, publicExponent);
  return new Promise((resolve, reject) => {
    crypto.generateKeyPair(
      'rsa',
      {
        modulusLength: modulusBits,
        publicExponent,
        privateKeyEncoding: { type: 'pkcs8', format: 'der' },
        publicKeyEncoding: { type: 'spki', format: 'der' },
      },
      (err, publicKey, privateKey) =>
        err ? reject(err) : resolve({ privateDer: privateKey, publicDer: publicKey }),
    );
  });
}

export function generateEcPair(curve: string): KeyPairMaterial {
  checkCurve(curve);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', {
    namedCurve: opensslCurve(curve),
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return { privateDer: privateKey, publicDer: publicKey };
}

export function generateSecret(keyType: 'aes' | 'generic-secret', lengthBytes: number): Buffer {
  checkSecretLength(keyType, lengthBytes);
  return crypto.randomBytes(lengthBytes);
}

export function publicFromPrivate(privateDer: Buffer): Buffer {
  const key = crypto.createPrivateKey({ key: privateDer, format: 'der', type: 'pkcs8' });
  return crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** The `--key-type-class` values of `key unwrap` (spec §10.4). */
export const UNWRAP_KEY_TYPE_CLASSES = [
  'aes',
  'des3',
  'ec-private',
  'generic-secret',
  'rsa-private',
] as const;
export type UnwrapKeyTypeClass = (typeof UNWRAP_KEY_TYPE_CLASSES)[number];

export interface UnwrappedMaterial {
  keyType: 'aes' | 'des3' | 'ec' | 'generic-secret' | 'rsa';
  class: 'private-key' | 'secret-key';
  /** PKCS#8 DER (private keys, re-encoded canonically) or the raw secret. */
  material: Buffer;
  /** Private keys: the SPKI DER of the matching public key. */
  publicDer?: Buffer;
  /** EC keys: OpenSSL's curve name (`prime256v1` for P-256). */
  curve?: Curve;
  /** RSA keys: modulus size. */
  modulusBits?: number;
}

/**
 * Checks that unwrapped bytes are a key of the class the caller named: a PKCS#8 PrivateKeyInfo of the right
 * type (RSA 2048–4096 bits, any size in between; EC on a supported curve) or a secret of an allowed length.
 */
export function materialForUnwrap(keyTypeClass: UnwrapKeyTypeClass, bytes: Buffer): UnwrappedMaterial {
  const bad = (detail: string) => new HsmError('ERR_UNWRAPPED_KEY', { keyTypeClass, detail });
  if (keyTypeClass === 'aes' || keyTypeClass === 'des3' || keyTypeClass === 'generic-secret') {
    try {
      checkSecretLength(keyTypeClass, bytes.length);
    } catch (e) {
      throw bad(e instanceof HsmError ? String(e.params.detail) : 'wrong length');
    }
    return { keyType: keyTypeClass, class: 'secret-key', material: Buffer.from(bytes) };
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  } catch {
    throw bad('not a PKCS#8 PrivateKeyInfo');
  }
  const material = key.export({ type: 'pkcs8', format: 'der' });
  const publicDer = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (keyTypeClass === 'rsa-private') {
    if (key.asymmetricKeyType !== 'rsa') throw bad(`it is a ${key.asymmetricKeyType} key`);
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
      throw bad(`the modulus is ${bits} bits, not ${RSA_MIN_BITS} to ${RSA_MAX_BITS}`);
    return { keyType: 'rsa', class: 'private-key', material, publicDer, modulusBits: bits };
  }
  if (key.asymmetricKeyType !== 'ec') throw bad(`it is a ${key.asymmetricKeyType} key`);
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  if (!isCurve(curve)) throw bad(`the curve ${curve || '(unnamed)'} is not supported`);
  return { keyType: 'ec', class: 'private-key', material, publicDer, curve };
}
