// Private keys held in PEM files (read by PemSigner for `localhsm token sign` and the CLI's --sign-with).
// Key material never reaches a message: errors name the file and the problem only.
import crypto, { type KeyObject } from 'node:crypto';
import { HsmError } from '../errors.js';
import { readTextFile } from '../files/read-input.js';
import { REQUIRED_MODULUS_BITS, signToken, toSpkiPem } from './token-sign.js';

export function readPem(file: string): string {
  return readTextFile(file);
}

/** Whether a PEM private key needs a passphrase (PKCS#8 `ENCRYPTED PRIVATE KEY` or legacy `Proc-Type: 4,ENCRYPTED`). */
export function isEncryptedPem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

/** Like `openssl -passin file:F`: the first line of the file. */
export function readPassphraseFile(file: string): string {
  return readTextFile(file).split(/\r?\n/)[0]!;
}

/** An RSA private key from PEM text (PKCS#1 or PKCS#8, optionally encrypted). */
export function parsePrivateKey(pem: string, file: string, passphrase?: string): KeyObject {
  const fail = (detail: string) => new HsmError('ERR_PRIVATE_KEY', { file, detail });
  if (isEncryptedPem(pem) && passphrase === undefined)
    throw fail('it is encrypted and no passphrase was given');
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_OSSL_BAD_DECRYPT')
      throw fail('the passphrase does not decrypt it');
    if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem))
      throw fail('it is a public key; token-sign needs the private key');
    throw fail('it is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw fail(`it is a ${key.asymmetricKeyType ?? 'non-RSA'} key; token-sign needs an RSA key`);
  return key;
}

export function loadPrivateKey(file: string, passphrase?: string): KeyObject {
  return parsePrivateKey(readPem(file), file, passphrase);
}

export function modulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

/** A note for keys CloudHSM would refuse (it registers RSA 2048-bit keys only), or undefined. */
export function keySizeWarning(key: KeyObject, file: string): string | undefined {
  const bits = modulusBits(key);
  return bits === REQUIRED_MODULUS_BITS
    ? undefined
    : `warning: ${file} is an RSA ${bits}-bit key; CloudHSM registers only RSA ${REQUIRED_MODULUS_BITS}-bit keys for MFA and quorum`;
}

export function publicKeyPemOf(privateKey: KeyObject): string {
  return toSpkiPem(crypto.createPublicKey(privateKey));
}

/**
 * base64 of the signature of one token, exactly what the openssl recipe of the docs produces. Commands
 * sign through a TokenSigner (src/signers/: PemSigner wraps these keys) so that every signature is checked.
 */
export function signUnsigned(privateKey: KeyObject, token: Buffer): string {
  return signToken(privateKey, token).toString('base64');
}
