// Signature mechanisms of `crypto sign|verify` (spec §12): rsa-pkcs, rsa-pkcs-pss and ecdsa, over raw data or a
// caller-made digest.
//
// API (stable; keys-core builds on it):
//   signData(params: SignParams, privateKey: KeyInput, data: Buffer): Buffer
//   signDataAsync(params, privateKey, data): Promise<Buffer>   (raw data on libuv's thread pool)
//   verifyData(params: SignParams, publicKey: KeyInput, data: Buffer, signature: Buffer): boolean
//   checkSignParams(params, key?): void   (throws ERR_MECHANISM_PARAMETERS / ERR_SIGN_INPUT, never signs)
// KeyInput: a KeyObject, or DER (PKCS#8 for private keys, SPKI for public keys).
// `dataType: 'digest'` (docs/decisions.md): rsa-pkcs takes the DER DigestInfo of RFC 8017 §9.2 for the given
// hash function (as the spec documents); rsa-pkcs-pss and ecdsa take the bare hash of that function's length.
// ECDSA signatures are raw r‖s, each half padded to the order's length (ieee-p1363).
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import { ecdsaSignDigest, ecdsaVerifyDigest } from './ecdsa-digest.js';

export const HASHES = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export type HashName = (typeof HASHES)[number];
export const MGFS = ['mgf1-sha1', 'mgf1-sha224', 'mgf1-sha256', 'mgf1-sha384', 'mgf1-sha512'] as const;
export type MgfName = (typeof MGFS)[number];
export const SIGN_MECHANISMS = ['rsa-pkcs', 'rsa-pkcs-pss', 'ecdsa'] as const;
export type SignMechanism = (typeof SIGN_MECHANISMS)[number];

export interface SignParams {
  mechanism: SignMechanism;
  hash: HashName;
  /** Default 'raw'. */
  dataType?: 'raw' | 'digest';
  /** rsa-pkcs-pss: must be `mgf1-<hash>` (spec §10.2/§12.2). */
  mgf?: MgfName;
  /** rsa-pkcs-pss: salt length in bytes. */
  saltLength?: number;
}

export type KeyInput = crypto.KeyObject | Buffer;

export const HASH_BYTES: Record<HashName, number> = {
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1): prefix ‖ hash is the DigestInfo. */
export const DIGEST_INFO_PREFIX: Record<HashName, Buffer> = {
  sha1: Buffer.from('3021300906052b0e03021a05000414', 'hex'),
  sha224: Buffer.from('302d300d06096086480165030402040500041c', 'hex'),
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

function privateKeyOf(key: KeyInput): crypto.KeyObject {
  return key instanceof crypto.KeyObject
    ? key
    : crypto.createPrivateKey({ key, format: 'der', type: 'pkcs8' });
}

function publicKeyOf(key: KeyInput): crypto.KeyObject {
  if (key instanceof crypto.KeyObject) return key.type === 'private' ? crypto.createPublicKey(key) : key;
  return crypto.createPublicKey({ key, format: 'der', type: 'spki' });
}

const modulusBytes = (key: crypto.KeyObject) => Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);

function paramError(mechanism: string, detail: string): HsmError {
  return new HsmError('ERR_MECHANISM_PARAMETERS', { mechanism, detail });
}

/** Parameter checks shared by sign and verify; with a key, also the key type and PSS salt bound. */
export function checkSignParams(params: SignParams, key?: crypto.KeyObject): void {
  const { mechanism, hash } = params;
  if (!(SIGN_MECHANISMS as readonly string[]).includes(mechanism))
    throw paramError(
      String(mechanism),
      `unknown mechanism; possible values are ${SIGN_MECHANISMS.join(', ')}`,
    );
  if (!(HASHES as readonly string[]).includes(hash))
    throw paramError(mechanism, `hash function must be one of ${HASHES.join(', ')}`);
  if (mechanism === 'rsa-pkcs-pss') {
    if (params.mgf !== `mgf1-${hash}`)
      throw paramError(mechanism, `the mask generation function must match the hash function (mgf1-${hash})`);
    const salt = params.saltLength;
    if (salt === undefined || !Number.isInteger(salt) || salt < 0)
      throw paramError(mechanism, 'salt length must be a whole number of bytes');
    if (key) {
      const emLen = Math.ceil(((key.asymmetricKeyDetails?.modulusLength ?? 0) - 1) / 8);
      const max = emLen - HASH_BYTES[hash] - 2;
      if (salt > max)
        throw paramError(
          mechanism,
          `salt length ${salt} is too long for this key and ${hash} (at most ${max})`,
        );
    }
  }
  if (key) {
    const wanted = mechanism === 'ecdsa' ? 'ec' : 'rsa';
    if (key.asymmetricKeyType !== wanted)
      throw paramError(mechanism, `needs an ${wanted.toUpperCase()} key, not ${key.asymmetricKeyType}`);
  }
}

/** The input as the mechanism hashes it: DigestInfo (rsa-pkcs) or the bare hash (others). */
function prepared(params: SignParams, data: Buffer): Buffer {
  const { mechanism, hash } = params;
  if ((params.dataType ?? 'raw') === 'raw') {
    const digest = crypto.createHash(hash).update(data).digest();
    return mechanism === 'rsa-pkcs' ? Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]) : digest;
  }
  if (mechanism === 'rsa-pkcs') {
    const prefix = DIGEST_INFO_PREFIX[hash];
    if (data.length !== prefix.length + HASH_BYTES[hash] || !data.subarray(0, prefix.length).equals(prefix))
      throw new HsmError('ERR_SIGN_INPUT', {
        mechanism,
        detail: `with --data-type digest the data must be the DER DigestInfo of a ${hash} hash (${prefix.length + HASH_BYTES[hash]} bytes, RFC 8017 section 9.2)`,
      });
    return data;
  }
  if (data.length !== HASH_BYTES[hash])
    throw new HsmError('ERR_SIGN_INPUT', {
      mechanism,
      detail: `with --data-type digest the data must be a ${hash} hash (${HASH_BYTES[hash]} bytes), got ${data.length} bytes`,
    });
  return data;
}

function mgf1(hash: HashName, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * HASH_BYTES[hash] < length; i++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    out.push(crypto.createHash(hash).update(seed).update(counter).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of a digest. */
function pssEncode(hash: HashName, mHash: Buffer, saltLength: number, modBits: number): Buffer {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = HASH_BYTES[hash];
  const salt = crypto.randomBytes(saltLength);
  const H = crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - saltLength - hLen - 2), Buffer.from([1]), salt]);
  const masked = mgf1(hash, H, db.length);
  for (let i = 0; i < db.length; i++) masked[i]! ^= db[i]!;
  masked[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([masked, H, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2). */
function pssVerify(hash: HashName, mHash: Buffer, em: Buffer, saltLength: number, modBits: number): boolean {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = HASH_BYTES[hash];
  if (em.length !== emLen || emLen < hLen + saltLength + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((maskedDb[0]! & ~topMask) !== 0) return false;
  const db = mgf1(hash, H, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= topMask;
  const ps = emLen - hLen - saltLength - 2;
  if (db.subarray(0, ps).some((b) => b !== 0) || db[ps] !== 1) return false;
  const salt = db.subarray(db.length - saltLength);
  const H2 = crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return crypto.timingSafeEqual(H, H2);
}

function rawRsa(key: crypto.KeyObject, input: Buffer, privateOp: boolean): Buffer {
  const k = modulusBytes(key);
  const block = Buffer.concat([Buffer.alloc(k - input.length), input]);
  const opts = { key, padding: crypto.constants.RSA_NO_PADDING };
  return privateOp ? crypto.privateDecrypt(opts, block) : crypto.publicEncrypt(opts, block);
}

export function signData(params: SignParams, privateKey: KeyInput, data: Buffer): Buffer {
  const key = privateKeyOf(privateKey);
  checkSignParams(params, key);
  const input = prepared(params, data);
  const { mechanism, hash } = params;
  if (mechanism === 'rsa-pkcs')
    return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, input);
  if (mechanism === 'rsa-pkcs-pss') {
    if ((params.dataType ?? 'raw') === 'raw')
      return crypto.sign(hash, data, {
        key,
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: params.saltLength!,
      });
    const modBits = key.asymmetricKeyDetails!.modulusLength!;
    return rawRsa(key, pssEncode(hash, input, params.saltLength!, modBits), true);
  }
  if ((params.dataType ?? 'raw') === 'raw')
    return crypto.sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
  return ecdsaSignDigest(key, input);
}

/** The same signature as signData; raw-data RSA-PSS and ECDSA run on libuv's thread pool. */
export async function signDataAsync(params: SignParams, privateKey: KeyInput, data: Buffer): Promise<Buffer> {
  const key = privateKeyOf(privateKey);
  checkSignParams(params, key);
  if ((params.dataType ?? 'raw') !== 'raw') return signData(params, key, data);
  const { mechanism, hash } = params;
  const opts =
    mechanism === 'ecdsa'
      ? { key, dsaEncoding: 'ieee-p1363' as const }
      : mechanism === 'rsa-pkcs-pss'
        ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength! }
        : { key, padding: crypto.constants.RSA_PKCS1_PADDING };
  return new Promise((resolve, reject) =>
    crypto.sign(hash, data, opts, (err, sig) => (err ? reject(err) : resolve(sig))),
  );
}

export function verifyData(
  params: SignParams,
  publicKey: KeyInput,
  data: Buffer,
  signature: Buffer,
): boolean {
  const key = publicKeyOf(publicKey);
  checkSignParams(params, key);
  const input = prepared(params, data);
  const { mechanism, hash } = params;
  if (mechanism === 'rsa-pkcs') {
    // Strict: the recovered block must be exactly the DER DigestInfo (Wycheproof "MissingNull" is refused).
    if (signature.length !== modulusBytes(key)) return false;
    let recovered: Buffer;
    try {
      recovered = crypto.publicDecrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
    return recovered.length === input.length && crypto.timingSafeEqual(recovered, input);
  }
  if (mechanism === 'rsa-pkcs-pss') {
    if (signature.length !== modulusBytes(key)) return false;
    const modBits = key.asymmetricKeyDetails!.modulusLength!;
    let em: Buffer;
    try {
      em = rawRsa(key, signature, false);
    } catch {
      return false; // signature ≥ n
    }
    const emLen = Math.ceil((modBits - 1) / 8);
    if (em.length > emLen && em.subarray(0, em.length - emLen).some((b) => b !== 0)) return false;
    return pssVerify(hash, input, em.subarray(em.length - emLen), params.saltLength!, modBits);
  }
  if ((params.dataType ?? 'raw') === 'raw') {
    try {
      return crypto.verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  }
  return ecdsaVerifyDigest(key, input, signature);
}
