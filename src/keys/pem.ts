// PEM files of keys: SPKI export (`key generate-file --encoding pem`), public-key import (`key import pem`) and
// the "fake PEM" of `--encoding reference-pem` (spec §6).
//
// API (stable; keys-core builds on it):
//   publicKeyPem(spkiDer): string
//   parsePublicKeyPem(text, keyTypeClass: 'rsa-public' | 'ec-public'): ImportedPublicKey   (ERR_PEM_INVALID)
//   referencePem(key: { keyType: 'rsa' | 'ec'; publicDer: Buffer }, reference): string
//   referenceOfPem(text): string | undefined   ('0x' + 16 hex digits, or undefined for any other PEM)
//
// Reference-PEM layout (docs/decisions.md): a traditional private key that openssl parses as a key of the right
// type and size and whose public half is the real public key (so `openssl pkey -pubout` and certificate
// matching work), but whose private values carry only a marker and the key reference:
//   RSA: "-----BEGIN RSA PRIVATE KEY-----", RSAPrivateKey { 0, n, e, d = "LOCALHSM" ‖ reference (8 bytes,
//        big-endian), p = q = dp = dq = qinv = 1 }
//   EC:  "-----BEGIN EC PRIVATE KEY-----", ECPrivateKey { 1, privateKey = that same 16-byte value left-padded
//        to the curve size, [0] named curve, [1] the real public point }
// Nothing in it is secret; signing with it gives garbage (RSA) or a signature of the wrong key (EC).
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import { derChildren, derInteger, derSequence, derTlv, pemBlock } from './der.js';
import { isCurve, type Curve } from './material.js';
import { mlDsaPublicKey } from './ml-dsa.js';

export function publicKeyPem(spkiDer: Buffer): string {
  // Node 20 cannot parse ML-DSA keys: their SPKI (RFC 9881) is armoured as it is, as openssl 3.5 writes it.
  if (isMlDsaSpki(spkiDer)) return pemBlock('PUBLIC KEY', spkiDer);
  return crypto
    .createPublicKey({ key: spkiDer, format: 'der', type: 'spki' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

function isMlDsaSpki(spkiDer: Buffer): boolean {
  try {
    mlDsaPublicKey(spkiDer);
    return true;
  } catch {
    return false;
  }
}

export interface ImportedPublicKey {
  keyType: 'rsa' | 'ec';
  publicDer: Buffer;
  /** `ed25519` for an Ed25519 key imported as `ec-public` (the node allows it where Ed25519 exists). */
  curve?: Curve | 'ed25519';
  modulusBits?: number;
}

/** Imported RSA public keys: any size in this range (they only verify or wrap). */
export const IMPORT_RSA_MIN_BITS = 2048;
export const IMPORT_RSA_MAX_BITS = 8192;

export function parsePublicKeyPem(text: string, keyTypeClass: 'rsa-public' | 'ec-public'): ImportedPublicKey {
  const bad = (detail: string) => new HsmError('ERR_PEM_INVALID', { detail });
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);
  if (labels.length === 0) throw bad('no "-----BEGIN PUBLIC KEY-----" block found');
  if (labels.length > 1) throw bad(`the file holds ${labels.length} PEM blocks; give one public key`);
  const label = labels[0]!;
  if (label.includes('PRIVATE KEY'))
    throw bad(
      'the file holds a private key; only public keys can be imported (private keys come in with key unwrap)',
    );
  if (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY')
    throw bad(`the file holds a "${label}" block, not a "PUBLIC KEY"`);
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw bad('the PEM block is not a readable public key');
  }
  const expected = keyTypeClass === 'rsa-public' ? 'rsa' : 'ec';
  if (expected === 'ec' && key.asymmetricKeyType === 'ed25519')
    return { keyType: 'ec', publicDer: key.export({ type: 'spki', format: 'der' }), curve: 'ed25519' };
  if (key.asymmetricKeyType !== expected)
    throw bad(`it is a ${key.asymmetricKeyType} key, not ${keyTypeClass}`);
  const publicDer = key.export({ type: 'spki', format: 'der' });
  if (expected === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < IMPORT_RSA_MIN_BITS || bits > IMPORT_RSA_MAX_BITS)
      throw bad(
        `the RSA modulus is ${bits} bits; LocalHSM imports ${IMPORT_RSA_MIN_BITS} to ${IMPORT_RSA_MAX_BITS}`,
      );
    return { keyType: 'rsa', publicDer, modulusBits: bits };
  }
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  if (!isCurve(curve)) throw bad(`the curve ${curve || '(unnamed)'} is not supported`);
  return { keyType: 'ec', publicDer, curve };
}

const MARKER = Buffer.from('LOCALHSM', 'ascii');

const CURVE_OIDS: Record<string, string> = {
  prime256v1: '06082a8648ce3d030107',
  secp224r1: '06052b81040021',
  secp384r1: '06052b81040022',
  secp521r1: '06052b81040023',
  secp256k1: '06052b8104000a',
};

function referenceBytes(reference: string | bigint): Buffer {
  const value = typeof reference === 'bigint' ? reference : BigInt(reference);
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(value);
  return out;
}

export function referencePem(
  key: { keyType: 'rsa' | 'ec'; publicDer: Buffer },
  reference: string | bigint,
): string {
  const pub = crypto.createPublicKey({ key: key.publicDer, format: 'der', type: 'spki' });
  const value = Buffer.concat([MARKER, referenceBytes(reference)]);
  const one = Buffer.from([1]);
  if (key.keyType === 'rsa') {
    const jwk = pub.export({ format: 'jwk' });
    const der = derSequence(
      derInteger(Buffer.from([0])),
      derInteger(Buffer.from(jwk.n as string, 'base64url')),
      derInteger(Buffer.from(jwk.e as string, 'base64url')),
      derInteger(value),
      ...Array.from({ length: 5 }, () => derInteger(one)),
    );
    return pemBlock('RSA PRIVATE KEY', der);
  }
  const curve = pub.asymmetricKeyDetails?.namedCurve ?? '';
  const oid = CURVE_OIDS[curve];
  if (!oid) throw new HsmError('ERR_KEY_PARAMETERS', { detail: `unsupported curve ${curve}` });
  const spki = key.publicDer;
  // The SPKI ends with the BIT STRING body 00 ‖ point; the point is 1 + 2 × field bytes long.
  const fieldBytes =
    curve === 'secp521r1' ? 66 : curve === 'secp384r1' ? 48 : curve === 'secp224r1' ? 28 : 32;
  const point = spki.subarray(spki.length - (1 + 2 * fieldBytes));
  const scalar = Buffer.alloc(fieldBytes);
  value.copy(scalar, fieldBytes - value.length);
  const der = derSequence(
    derInteger(one),
    derTlv(0x04, scalar),
    derTlv(0xa0, Buffer.from(oid, 'hex')),
    derTlv(0xa1, derTlv(0x03, Buffer.concat([Buffer.from([0]), point]))),
  );
  return pemBlock('EC PRIVATE KEY', der);
}

/** The key reference a reference PEM carries, or undefined when the PEM is anything else. */
export function referenceOfPem(text: string): string | undefined {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: text, format: 'pem' });
  } catch {
    return undefined;
  }
  let value: Buffer | undefined;
  try {
    value =
      key.asymmetricKeyType === 'rsa'
        ? derChildren(key.export({ type: 'pkcs1', format: 'der' }))[3]?.body
        : key.asymmetricKeyType === 'ec'
          ? derChildren(key.export({ type: 'sec1', format: 'der' }))[1]?.body
          : undefined;
  } catch {
    return undefined;
  }
  if (!value) return undefined;
  const at = value.length - 16;
  if (at < 0 || !value.subarray(at, at + 8).equals(MARKER) || value.subarray(0, at).some((b) => b !== 0))
    return undefined;
  return '0x' + value.subarray(at + 8).toString('hex');
}
