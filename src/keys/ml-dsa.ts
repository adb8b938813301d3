// ML-DSA (FIPS 204) keys and the `ml-dsa` mechanism of `crypto sign|verify` (spec §5.3, §12.2), by
// @noble/post-quantum: Node 20's crypto has no ML-DSA.
//
// API:
//   ML_DSA_ALGORITHMS, isMlDsaAlgorithm(name), ML_DSA_SIZES[algorithm] = { publicKey, secretKey, signature }
//   generateMlDsaPair(algorithm): KeyPairMaterial               (PKCS#8 / SPKI DER, below)
//   mlDsaPublicKey(spkiDer) / mlDsaPrivateKey(pkcs8Der): { algorithm, raw }   (ERR_KEY_PARAMETERS if not)
//   mlDsaSign(pkcs8Der, data, dataType), mlDsaVerify(spkiDer, data, dataType, signature)
//   mlDsaExternalMu(spkiDer, message): the 64-byte μ of FIPS 204 §5.2 with the empty context
// Encodings (RFC 9881, the X.509 profile of ML-DSA): the SPKI holds the raw public key in its BIT STRING under
// id-ml-dsa-44/65/87 (2.16.840.1.101.3.4.3.17/18/19, no parameters); the PKCS#8 privateKey OCTET STRING holds
// the `both` choice, SEQUENCE { seed OCTET STRING (32), expandedKey OCTET STRING }. The seed and expanded
// forms alone are read too.
// dataType 'raw' signs the message with the empty context (ML-DSA.Sign, hedged); 'external-mu' signs a μ the
// caller computed (FIPS 204 Algorithm 7 from line 6 on), which is what CloudHSM's `--data-type external-mu` is.
import crypto from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { HsmError } from '../errors.js';
import { derChildren, derSequence, derTlv } from './der.js';
import type { KeyPairMaterial } from './material.js';

export const ML_DSA_ALGORITHMS = ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'] as const;
export type MlDsaAlgorithm = (typeof ML_DSA_ALGORITHMS)[number];
export const ML_DSA_DATA_TYPES = ['raw', 'external-mu'] as const;
export type MlDsaDataType = (typeof ML_DSA_DATA_TYPES)[number];
export const ML_DSA_MU_BYTES = 64;

export function isMlDsaAlgorithm(name: string): name is MlDsaAlgorithm {
  return (ML_DSA_ALGORITHMS as readonly string[]).includes(name);
}

/** FIPS 204 Table 2: public key, private key and signature sizes in bytes. */
export const ML_DSA_SIZES: Record<
  MlDsaAlgorithm,
  { publicKey: number; secretKey: number; signature: number }
> = {
  'ML-DSA-44': { publicKey: 1312, secretKey: 2560, signature: 2420 },
  'ML-DSA-65': { publicKey: 1952, secretKey: 4032, signature: 3309 },
  'ML-DSA-87': { publicKey: 2592, secretKey: 4896, signature: 4627 },
};

const IMPL = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 } as const;

/** DER of the OBJECT IDENTIFIERs id-ml-dsa-44/65/87 (NIST CSOR 2.16.840.1.101.3.4.3.17/18/19). */
const OIDS: Record<MlDsaAlgorithm, Buffer> = {
  'ML-DSA-44': Buffer.from('0609608648016503040311', 'hex'),
  'ML-DSA-65': Buffer.from('0609608648016503040312', 'hex'),
  'ML-DSA-87': Buffer.from('0609608648016503040313', 'hex'),
};

function algorithmOfOid(oid: Buffer): MlDsaAlgorithm | undefined {
  return ML_DSA_ALGORITHMS.find((a) => OIDS[a].equals(oid));
}

const bad = (detail: string) => new HsmError('ERR_KEY_PARAMETERS', { detail });

export function checkMlDsaAlgorithm(name: string): asserts name is MlDsaAlgorithm {
  if (!isMlDsaAlgorithm(name))
    throw bad(`mldsa-algorithm must be one of ${ML_DSA_ALGORITHMS.join(', ')}, got ${name}`);
}

export function mlDsaSpki(algorithm: MlDsaAlgorithm, publicKey: Uint8Array): Buffer {
  return derSequence(
    derSequence(OIDS[algorithm]),
    derTlv(0x03, Buffer.concat([Buffer.from([0]), publicKey])),
  );
}

function mlDsaPkcs8(algorithm: MlDsaAlgorithm, seed: Uint8Array, secretKey: Uint8Array): Buffer {
  const both = derSequence(derTlv(0x04, Buffer.from(seed)), derTlv(0x04, Buffer.from(secretKey)));
  return derSequence(derTlv(0x02, Buffer.from([0])), derSequence(OIDS[algorithm]), derTlv(0x04, both));
}

export function generateMlDsaPair(algorithm: string): KeyPairMaterial {
  checkMlDsaAlgorithm(algorithm);
  const seed = crypto.randomBytes(32);
  const { secretKey, publicKey } = IMPL[algorithm].keygen(seed);
  return { privateDer: mlDsaPkcs8(algorithm, seed, secretKey), publicDer: mlDsaSpki(algorithm, publicKey) };
}

export interface MlDsaKey {
  algorithm: MlDsaAlgorithm;
  /** The FIPS 204 encoded key (pk or sk). */
  raw: Buffer;
}

/** The algorithm and raw public key of an ML-DSA SPKI DER. */
export function mlDsaPublicKey(spki: Buffer): MlDsaKey {
  let algorithm: MlDsaAlgorithm | undefined;
  let raw: Buffer | undefined;
  try {
    const [algId, bits] = derChildren(spki);
    const [oid, params] = derChildren(derTlv(0x30, algId!.body));
    algorithm = !params && oid?.tag === 0x06 ? algorithmOfOid(derTlv(0x06, oid.body)) : undefined;
    if (bits?.tag === 0x03 && bits.body[0] === 0) raw = bits.body.subarray(1);
  } catch {
    // a parse failure is reported below
  }
  if (!algorithm || !raw) throw bad('not an ML-DSA SubjectPublicKeyInfo');
  if (raw.length !== ML_DSA_SIZES[algorithm].publicKey)
    throw bad(`an ${algorithm} public key is ${ML_DSA_SIZES[algorithm].publicKey} bytes, got ${raw.length}`);
  return { algorithm, raw: Buffer.from(raw) };
}

/** The algorithm and raw (expanded) secret key of an ML-DSA PKCS#8 DER: seed, expanded or both forms. */
export function mlDsaPrivateKey(pkcs8: Buffer): MlDsaKey {
  let algorithm: MlDsaAlgorithm | undefined;
  let raw: Buffer | undefined;
  try {
    const [, algId, octets] = derChildren(pkcs8);
    const [oid] = derChildren(derTlv(0x30, algId!.body));
    algorithm = oid?.tag === 0x06 ? algorithmOfOid(derTlv(0x06, oid.body)) : undefined;
    const inner = octets?.tag === 0x04 ? octets.body : undefined;
    if (algorithm && inner) {
      const size = ML_DSA_SIZES[algorithm].secretKey;
      if (inner[0] === 0x80 && inner.length === 34)
        raw = Buffer.from(IMPL[algorithm].keygen(inner.subarray(2)).secretKey);
      else if (inner[0] === 0x04) {
        const [expanded] = derChildren(derTlv(0x30, inner));
        if (expanded?.body.length === size) raw = expanded.body;
      } else if (inner[0] === 0x30) {
        const [seed, expanded] = derChildren(inner);
        if (seed?.body.length === 32 && expanded?.body.length === size) raw = expanded.body;
      }
    }
  } catch {
    // a parse failure is reported below
  }
  if (!algorithm || !raw) throw bad('not an ML-DSA PrivateKeyInfo');
  return { algorithm, raw: Buffer.from(raw) };
}

/** The SPKI of the public half of an ML-DSA private key. */
export function mlDsaPublicFromPrivate(pkcs8: Buffer): Buffer {
  const { algorithm, raw } = mlDsaPrivateKey(pkcs8);
  // FIPS 204 sk = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0 lacks t1: the library recomputes it from ρ, s1 and s2.
  return mlDsaSpki(algorithm, IMPL[algorithm].getPublicKey(raw));
}

function checkData(data: Buffer, dataType: string): asserts dataType is MlDsaDataType {
  if (!(ML_DSA_DATA_TYPES as readonly string[]).includes(dataType))
    throw new HsmError('ERR_MECHANISM_PARAMETERS', {
      mechanism: 'ml-dsa',
      detail: `data type must be one of ${ML_DSA_DATA_TYPES.join(', ')}`,
    });
  if (dataType === 'external-mu' && data.length !== ML_DSA_MU_BYTES)
    throw new HsmError('ERR_SIGN_INPUT', {
      mechanism: 'ml-dsa',
      detail: `with --data-type external-mu the data must be the ${ML_DSA_MU_BYTES}-byte mu, got ${data.length} bytes`,
    });
}

export function mlDsaSign(privateDer: Buffer, data: Buffer, dataType: string): Buffer {
  checkData(data, dataType);
  const { algorithm, raw } = mlDsaPrivateKey(privateDer);
  const impl = IMPL[algorithm];
  return Buffer.from(
    dataType === 'raw' ? impl.sign(data, raw) : impl.internal.sign(data, raw, { externalMu: true }),
  );
}

export function mlDsaVerify(publicDer: Buffer, data: Buffer, dataType: string, signature: Buffer): boolean {
  checkData(data, dataType);
  const { algorithm, raw } = mlDsaPublicKey(publicDer);
  if (signature.length !== ML_DSA_SIZES[algorithm].signature) return false;
  const impl = IMPL[algorithm];
  try {
    return dataType === 'raw'
      ? impl.verify(signature, data, raw)
      : impl.internal.verify(signature, data, raw, { externalMu: true });
  } catch {
    return false;
  }
}

const shake256 = (parts: Buffer[], length: number): Buffer => {
  const h = crypto.createHash('shake256', { outputLength: length });
  for (const p of parts) h.update(p);
  return h.digest();
};

/** FIPS 204: μ = SHAKE256(tr ‖ M′, 64) with tr = SHAKE256(pk, 64) and M′ = 0 ‖ 0 ‖ M (empty context). */
export function mlDsaExternalMu(publicDer: Buffer, message: Buffer): Buffer {
  const { raw } = mlDsaPublicKey(publicDer);
  return shake256([shake256([raw], 64), Buffer.from([0, 0]), message], ML_DSA_MU_BYTES);
}
