// The client half of token-sign as cloudhsm-cli does it: write the unsigned token file, ask for the
// signed file and the public key, or (LocalHSM's --sign-with) sign in-process with a private key.
import type { KeyObject } from 'node:crypto';
import type { IssuedToken } from '../cluster/mfa.js';
import { HsmError } from '../errors.js';
import {
  type TokenSignature,
  matchSignatures,
  readTokenFile,
  unsignedTokenFile,
  writeTokenFile,
} from '../tokens/mfa-file.js';
import {
  isEncryptedPem,
  parsePrivateKey,
  publicKeyPemOf,
  readPem,
  signUnsigned,
} from '../tokens/private-key.js';
import { parseTokenSignPublicKey, toSpkiPem } from '../tokens/token-sign.js';
import type { CliIo } from './context.js';
import type { OptionSpec } from './spec.js';

export const SIGNED_TOKEN_PROMPT =
  'Enter signed token file path (press enter if same as the unsigned token file):';
export const PUBLIC_KEY_PROMPT = 'Enter public key PEM file path:';

export function signWithOption(help: string): OptionSpec {
  return { long: 'sign-with', value: 'PRIVATE_KEY', extension: true, help };
}

/**
 * Writes one unsigned token per HSM to `tokenPath` (0600, the layout cloudhsm-cli writes), asks where
 * the signed file is (Enter = the same file) and returns each HSM's signature, matched by token value.
 */
export async function signaturesFromFile(
  io: CliIo,
  tokenPath: string,
  issued: readonly IssuedToken[],
): Promise<TokenSignature[]> {
  writeTokenFile(tokenPath, unsignedTokenFile(issued.map((t) => t.unsigned)));
  const answer = (await io.prompt(SIGNED_TOKEN_PROMPT)).trim();
  const signedPath = answer === '' ? tokenPath : answer;
  return matchSignatures(readTokenFile(signedPath), signedPath, issued);
}

/** The new MFA public key, asked for after the signed file; RSA 2048-bit only, sent as canonical SPKI PEM. */
export async function publicKeyFromPrompt(io: CliIo): Promise<string> {
  const keyPath = (await io.prompt(PUBLIC_KEY_PROMPT)).trim();
  if (keyPath === '') throw new HsmError('ERR_BAD_PUBLIC_KEY', { detail: 'no PEM file path was entered' });
  return toSpkiPem(parseTokenSignPublicKey(readPem(keyPath)));
}

/** The --sign-with key, loaded before any HSM is asked for tokens; an encrypted key asks for its pass phrase. */
export async function loadSignWithKey(io: CliIo, keyPath: string): Promise<KeyObject> {
  const pem = readPem(keyPath);
  const passphrase = isEncryptedPem(pem)
    ? await io.prompt(`Enter pass phrase for ${keyPath}:`, { hidden: true })
    : undefined;
  return parsePrivateKey(pem, keyPath, passphrase);
}

/** The public key of a --sign-with private key, checked like the HSMs will (RSA 2048-bit only). */
export function signWithPublicKey(key: KeyObject): string {
  return toSpkiPem(parseTokenSignPublicKey(publicKeyPemOf(key)));
}

/** Signs every issued token in-process and leaves the signed token file at `tokenPath` as a record. */
export function signInProcess(
  key: KeyObject,
  tokenPath: string,
  issued: readonly IssuedToken[],
): TokenSignature[] {
  const signatures = issued.map((t, i) => ({
    unsigned: t.unsigned,
    signature: signUnsigned(key, Buffer.from(t.unsigned, 'base64')),
    index: i + 1,
    total: issued.length,
  }));
  const document = {
    version: '2.0',
    tokens: signatures.map((s) => ({ unsigned: s.unsigned, signed: s.signature })),
  };
  writeTokenFile(tokenPath, JSON.stringify(document, null, 2) + '\n');
  return signatures;
}
