// Ed25519 keys and the two EdDSA mechanisms of `crypto sign|verify` (spec §12.2): PureEdDSA (ed25519, Node's
// own crypto) and HashEdDSA (ed25519ph, RFC 8032 §5.1 with the SHA-512 prehash, by @noble/curves).
//
// API:
//   generateEd25519Pair(): KeyPairMaterial            (PKCS#8 / SPKI DER, as Node writes them)
//   ed25519Sign(privateKey, message), ed25519Verify(publicKey, message, signature)
//   ed25519phSignDigest(privateKey, sha512Digest), ed25519phVerifyDigest(publicKey, sha512Digest, signature)
//   ed25519RawPublic(publicKey): Buffer               (the 32-byte encoded point A)
// The ph functions take the 64-byte SHA-512 of the message (the client hashes raw data, as for RSA and ECDSA;
// `--data-type digest` hands that hash over as it is). RFC 8032 §5.1: PH(M) = SHA-512(M), then Ed25519 with
// dom2(1, empty context).
import crypto from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { eddsa } from '@noble/curves/abstract/edwards.js';
import { HsmError } from '../errors.js';
import type { KeyPairMaterial } from './material.js';

/** PureEdDSA signs at most this many bytes on CloudHSM (spec §12.1, §15). */
export const ED25519_MAX_MESSAGE = 16_000;
export const ED25519_SIGNATURE_BYTES = 64;
export const SHA512_BYTES = 64;

export type EdKeyInput = crypto.KeyObject | Buffer;

export function generateEd25519Pair(): KeyPairMaterial {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return { privateDer: privateKey, publicDer: publicKey };
}

function privateKeyOf(key: EdKeyInput): crypto.KeyObject {
  const k =
    key instanceof crypto.KeyObject ? key : crypto.createPrivateKey({ key, format: 'der', type: 'pkcs8' });
  if (k.asymmetricKeyType !== 'ed25519')
    throw new HsmError('ERR_MECHANISM_PARAMETERS', {
      mechanism: 'ed25519',
      detail: `needs an Ed25519 key, not ${k.asymmetricKeyType}`,
    });
  return k;
}

function publicKeyOf(key: EdKeyInput): crypto.KeyObject {
  const k =
    key instanceof crypto.KeyObject
      ? key.type === 'private'
        ? crypto.createPublicKey(key)
        : key
      : crypto.createPublicKey({ key, format: 'der', type: 'spki' });
  if (k.asymmetricKeyType !== 'ed25519')
    throw new HsmError('ERR_MECHANISM_PARAMETERS', {
      mechanism: 'ed25519',
      detail: `needs an Ed25519 key, not ${k.asymmetricKeyType}`,
    });
  return k;
}

/** The 32-byte public key A (RFC 8032 §5.1.5), which `ec-point` shows. */
export function ed25519RawPublic(key: EdKeyInput): Buffer {
  return Buffer.from(publicKeyOf(key).export({ format: 'jwk' }).x as string, 'base64url');
}

function rawSecret(key: EdKeyInput): Buffer {
  return Buffer.from(privateKeyOf(key).export({ format: 'jwk' }).d as string, 'base64url');
}

function checkMessage(message: Buffer): void {
  if (message.length > ED25519_MAX_MESSAGE)
    throw new HsmError('ERR_SIGN_INPUT', {
      mechanism: 'ed25519',
      detail: `PureEdDSA signs at most ${ED25519_MAX_MESSAGE} bytes, got ${message.length}`,
    });
}

export function ed25519Sign(privateKey: EdKeyInput, message: Buffer): Buffer {
  checkMessage(message);
  return crypto.sign(null, message, privateKeyOf(privateKey));
}

export function ed25519Verify(publicKey: EdKeyInput, message: Buffer, signature: Buffer): boolean {
  checkMessage(message);
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return crypto.verify(null, message, publicKeyOf(publicKey), signature);
  } catch {
    return false;
  }
}

const sha512 = (m: Uint8Array): Uint8Array => new Uint8Array(crypto.createHash('sha512').update(m).digest());
/** dom2(phflag, context) of RFC 8032 §2 before the data. */
const dom2 = (data: Uint8Array, context: Uint8Array, phflag: boolean): Uint8Array => {
  if (context.length > 255) throw new Error('context too long');
  return Buffer.concat([
    Buffer.from('SigEd25519 no Ed25519 collisions', 'ascii'),
    Buffer.from([phflag ? 1 : 0, context.length]),
    context,
    data,
  ]);
};
/** RFC 8032 §5.1.5 clamping of the hashed secret scalar (the same as ed25519's). */
const clamp = (bytes: Uint8Array): Uint8Array => {
  bytes[0]! &= 248;
  bytes[31]! &= 127;
  bytes[31]! |= 64;
  return bytes;
};
/**
 * Ed25519ph whose "prehash" is the identity: it is handed PH(M) = SHA-512(M) directly, so the HSM never needs
 * the message (noble's `ed25519ph` hashes the message itself; the tests use it as the independent verifier).
 */
const ed25519phOfDigest = eddsa(ed25519.Point, sha512, {
  adjustScalarBytes: clamp,
  domain: dom2,
  prehash: (m: Uint8Array) => m,
});

function checkDigest(digest: Buffer): void {
  if (digest.length !== SHA512_BYTES)
    throw new HsmError('ERR_SIGN_INPUT', {
      mechanism: 'ed25519ph',
      detail: `with --data-type digest the data must be a sha512 hash (${SHA512_BYTES} bytes), got ${digest.length} bytes`,
    });
}

export function ed25519phSignDigest(privateKey: EdKeyInput, digest: Buffer): Buffer {
  checkDigest(digest);
  return Buffer.from(ed25519phOfDigest.sign(digest, rawSecret(privateKey)));
}

export function ed25519phVerifyDigest(publicKey: EdKeyInput, digest: Buffer, signature: Buffer): boolean {
  checkDigest(digest);
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return ed25519phOfDigest.verify(signature, digest, ed25519RawPublic(publicKey), { zip215: false });
  } catch {
    return false;
  }
}
