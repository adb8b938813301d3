// What crypto-sign and crypto-verify check and compute per mechanism: the key type a mechanism needs, its hash
// and data options, the HSM type/mode gate, and the signing primitive (src/keys) it runs.
import type crypto from 'node:crypto';
import { HsmError } from '../../errors.js';
import { ed25519Sign, ed25519Verify, ed25519phSignDigest, ed25519phVerifyDigest } from '../../keys/eddsa.js';
import { mlDsaSign, mlDsaVerify } from '../../keys/ml-dsa.js';
import { type HashName, HASHES, type MgfName, signData, verifyData } from '../../keys/sign.js';
import type { OpArgs } from '../../protocol/operations.js';
import type { SettingsStore } from '../settings.js';
import { requireFeature } from './mechanisms.js';
import type { KeyRecord } from './record.js';

type SignArgs = OpArgs<'crypto-sign'>;

const paramError = (mechanism: string, detail: string) =>
  new HsmError('ERR_MECHANISM_PARAMETERS', { mechanism, detail });

/** The checks before any key material is opened: gate, key type, hash and data type of the mechanism. */
export function checkMechanism(
  store: SettingsStore,
  key: KeyRecord,
  args: Pick<SignArgs, 'mechanism' | 'hash' | 'dataType'>,
): void {
  const { mechanism, hash } = args;
  if (mechanism === 'ed25519' || mechanism === 'ed25519ph' || mechanism === 'ml-dsa')
    requireFeature(store, mechanism);
  const ed = key.keyType === 'ec' && key.attributes['curve'] === 'ed25519';
  const fits =
    mechanism === 'ecdsa'
      ? key.keyType === 'ec' && !ed
      : mechanism === 'ed25519' || mechanism === 'ed25519ph'
        ? ed
        : mechanism === 'ml-dsa'
          ? key.keyType === 'ml-dsa'
          : key.keyType === 'rsa';
  if (!fits)
    throw new HsmError('ERR_KEY_MECHANISM', {
      detail: `${mechanism} needs ${
        mechanism === 'ecdsa'
          ? 'an ec key on a Weierstrass curve'
          : mechanism === 'ml-dsa'
            ? 'an ml-dsa key'
            : mechanism.startsWith('ed25519')
              ? 'an ec key on curve ed25519'
              : 'an rsa key'
      }, not ${ed ? 'an ed25519' : `an ${key.keyType}`} key`,
    });
  const wantedHash =
    mechanism === 'ed25519'
      ? undefined
      : mechanism === 'ed25519ph'
        ? 'sha512'
        : mechanism === 'ml-dsa'
          ? 'shake256'
          : (HASHES as readonly string[]).includes(hash ?? '')
            ? hash
            : null;
  if (wantedHash === null) throw paramError(mechanism, `hash function must be one of ${HASHES.join(', ')}`);
  if (hash !== wantedHash)
    throw paramError(
      mechanism,
      wantedHash === undefined ? 'takes no hash function' : `the hash function must be ${wantedHash}`,
    );
  if ((args.dataType !== undefined) !== (mechanism === 'ml-dsa'))
    throw paramError(
      mechanism,
      mechanism === 'ml-dsa' ? 'the data type (raw or external-mu) is required' : 'takes no data type',
    );
}

/** Extra parameters of rsa-pkcs-pss as signData takes them. */
function rsaParams(args: Pick<SignArgs, 'mechanism' | 'hash' | 'mgf' | 'saltLength'>) {
  return {
    mechanism: args.mechanism as 'rsa-pkcs' | 'rsa-pkcs-pss' | 'ecdsa',
    hash: args.hash as HashName,
    dataType: 'digest' as const,
    ...(args.mgf ? { mgf: args.mgf as MgfName } : {}),
    ...(args.saltLength !== undefined ? { saltLength: args.saltLength } : {}),
  };
}

/**
 * Signs `data` (already checked by checkMechanism). `privateKey` opens the key as Node parses it (cached);
 * `material` opens the PKCS#8 bytes (ML-DSA, which Node cannot parse).
 */
export function signWith(
  args: SignArgs,
  data: Buffer,
  privateKey: () => crypto.KeyObject,
  material: () => Buffer,
): Buffer {
  switch (args.mechanism) {
    case 'ed25519':
      return ed25519Sign(privateKey(), data);
    case 'ed25519ph':
      return ed25519phSignDigest(privateKey(), data);
    case 'ml-dsa':
      return mlDsaSign(material(), data, args.dataType!);
    default:
      return signData(rsaParams(args), privateKey(), data);
  }
}

export function verifyWith(
  args: OpArgs<'crypto-verify'>,
  publicDer: Buffer,
  data: Buffer,
  signature: Buffer,
): boolean {
  switch (args.mechanism) {
    case 'ed25519':
      return ed25519Verify(publicDer, data, signature);
    case 'ed25519ph':
      return ed25519phVerifyDigest(publicDer, data, signature);
    case 'ml-dsa':
      return mlDsaVerify(publicDer, data, args.dataType!, signature);
    default:
      return verifyData(rsaParams(args), publicDer, data, signature);
  }
}
