// The client half of token-sign as cloudhsm-cli does it: write the unsigned token file, ask for the
// signed file and the public key, or (LocalHSM's --sign-with, --pkcs11-*, --sign-command) sign in-process.
import type { IssuedToken } from '../cluster/mfa.js';
import { HsmError } from '../errors.js';
import {
  type TokenSignature,
  matchSignatures,
  readTokenFile,
  unsignedTokenDocument,
} from '../tokens/mfa-file.js';
import { TOKEN_FILE_VERSION, writeTokenFile } from '../tokens/token-file.js';
import { type CliSignerOptionName, openSigner, signerChoice } from '../signers/options.js';
import { type TokenSigner, signAll } from '../signers/signer.js';
import { readPem } from '../tokens/private-key.js';
import { parseTokenSignPublicKey, toSpkiPem } from '../tokens/token-sign.js';
import type { CliIo } from './context.js';
import type { ParsedOptions } from '../command/spec.js';

export const SIGNED_TOKEN_PROMPT =
  'Enter signed token file path (press enter if same as the unsigned token file):';
export const PUBLIC_KEY_PROMPT = 'Enter public key PEM file path:';

/**
 * Writes one unsigned token per HSM to `tokenPath` (0600, the layout cloudhsm-cli writes), asks where
 * the signed file is (Enter = the same file) and returns each HSM's signature, matched by token value.
 */
export async function signaturesFromFile(
  io: CliIo,
  tokenPath: string,
  issued: readonly IssuedToken[],
): Promise<TokenSignature[]> {
  writeTokenFile(tokenPath, unsignedTokenDocument(issued.map((t) => t.unsigned)));
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

/**
 * The signer the LocalHSM options name (--sign-with KEY.pem, --pkcs11-*, --sign-command), opened before
 * any HSM is asked for tokens (so a wrong PIN or a missing key stops the command first); undefined when
 * none is given (the cloudhsm-cli file prompts).
 */
export function openCliSigner(
  options: ParsedOptions<CliSignerOptionName>,
  io: CliIo,
  env: NodeJS.ProcessEnv,
): Promise<TokenSigner | undefined> {
  const choice = signerChoice(options, 'sign-with');
  return choice ? openSigner(choice, io, { env }) : Promise.resolve(undefined);
}

/** The public key of a signer, checked like the HSMs will (RSA 2048-bit only), as canonical SPKI PEM. */
export async function signerPublicKeyPem(signer: TokenSigner): Promise<string> {
  return toSpkiPem(parseTokenSignPublicKey(toSpkiPem(await signer.publicKey())));
}

/**
 * Signs every issued token in-process, each signature verified with the signer's public key, and only
 * then leaves the signed token file at `tokenPath` as a record.
 */
export async function signInProcess(
  signer: TokenSigner,
  tokenPath: string,
  issued: readonly IssuedToken[],
): Promise<TokenSignature[]> {
  const raw = await signAll(
    signer,
    issued.map((t) => Buffer.from(t.unsigned, 'base64')),
  );
  const signatures = issued.map((t, i) => ({
    unsigned: t.unsigned,
    signature: raw[i]!.toString('base64'),
    index: i + 1,
    total: issued.length,
  }));
  const document = {
    version: TOKEN_FILE_VERSION,
    tokens: signatures.map((s) => ({ unsigned: s.unsigned, signed: s.signature })),
  };
  writeTokenFile(tokenPath, document);
  return signatures;
}
