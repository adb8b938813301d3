// The token-sign primitive: RSA PKCS#1 v1.5 where the 32-byte token is the SHA-256 digest
// (DigestInfo(SHA-256) || token), exactly what `openssl pkeyutl -sign -pkeyopt digest:sha256` makes.
import crypto, { type KeyObject } from 'node:crypto';
import { HsmError } from '../errors.js';

export const TOKEN_BYTES = 32;
export const REQUIRED_MODULUS_BITS = 2048;
/** DER prefix of DigestInfo { sha256, OCTET STRING (32 bytes) }. */
export const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Strict base64: canonical encoding only (what `base64 -w0` prints), no whitespace or URL alphabet. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** FIPS 186-4 §B.3.1: an odd public exponent with 2^16 < e < 2^256. */
const MIN_PUBLIC_EXPONENT = 65537n;
const MAX_PUBLIC_EXPONENT = 2n ** 256n;

/** An RSA public key of exactly 2048 bits and a sound exponent from PEM (SPKI or PKCS#1), else ERR_BAD_PUBLIC_KEY. */

export function parseTokenSignPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = crypto.createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new HsmError('ERR_BAD_PUBLIC_KEY', { detail: 'it is not a PEM public key' });
  }
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'rsa') {
    throw new HsmError('ERR_BAD_PUBLIC_KEY', {
      detail: `it is a ${key.asymmetricKeyType ?? 'non-RSA'} key; an RSA 2048-bit key is required`,
    });
  }
  if (details?.modulusLength !== REQUIRED_MODULUS_BITS) {
    throw new HsmError('ERR_BAD_PUBLIC_KEY', {
      detail: `it is RSA ${details?.modulusLength ?? '?'}-bit; an RSA 2048-bit key is required`,
    });
  }
  // RSA_2048 keys (openssl, KMS, YubiKey, SoftHSM) have e = 65537; e = 1 would make any block verify.
  const e = details.publicExponent;
  if (e === undefined || e % 2n === 0n || e < MIN_PUBLIC_EXPONENT || e >= MAX_PUBLIC_EXPONENT) {
    throw new HsmError('ERR_BAD_PUBLIC_KEY', {
      detail: `its public exponent is ${e ?? '?'}; an odd exponent of at least 65537 (and below 2^256) is required`,
    });
  }
  return key;
}

/** The canonical SPKI PEM of a key, for storage and comparison. */
export function toSpkiPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

const modulusBytesCache = new WeakMap<KeyObject, number>();

function modulusBytes(key: KeyObject): number {
  let bytes = modulusBytesCache.get(key);
  if (bytes === undefined) {
    bytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
    modulusBytesCache.set(key, bytes);
  }
  return bytes;
}

/**
 * Verifies a token-sign signature. Strict: the signature must be exactly as long as the modulus,
 * the padding must be PKCS#1 v1.5 type 1, and the recovered block must equal DigestInfo || token.
 */
export function verifyTokenSignature(publicKey: KeyObject, token: Buffer, signature: Buffer): boolean {
  if (token.length !== TOKEN_BYTES || signature.length !== modulusBytes(publicKey)) return false;
  let recovered: Buffer;
  try {
    recovered = crypto.publicDecrypt(
      { key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING },
      signature,
    );
  } catch {
    return false;
  }
  const prefix = SHA256_DIGEST_INFO.length;
  if (recovered.length !== prefix + TOKEN_BYTES) return false;
  // Both halves are always compared, in constant time.
  const prefixOk = crypto.timingSafeEqual(recovered.subarray(0, prefix), SHA256_DIGEST_INFO);
  const tokenOk = crypto.timingSafeEqual(recovered.subarray(prefix), token);
  return prefixOk && tokenOk;
}

/** Signs a token the way the openssl recipe does (PKCS#1 v1.5 over DigestInfo(SHA-256) || token). */
export function signToken(privateKey: KeyObject, token: Buffer): Buffer {
  if (token.length !== TOKEN_BYTES) throw new Error(`a token is ${TOKEN_BYTES} bytes, got ${token.length}`);
  return crypto.privateEncrypt(
    { key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING },
    Buffer.concat([SHA256_DIGEST_INFO, token]),
  );
}
