// The token signer abstraction: where a token-sign private key lives (PEM file, PKCS#11 token, external
// command) behind one interface, and the one way to use it (signAll), which checks every signature.
import crypto, { type KeyObject } from 'node:crypto';
import type { Prompter } from '../command/process-io.js';
import { HsmError } from '../errors.js';
import { verifyTokenSignature } from '../tokens/token-sign.js';

/** Which token of a batch is being signed (1-based), for messages. */
export interface TokenPlace {
  index: number;
  total: number;
}

export interface TokenSigner {
  /** Names the signer in messages (a file, a token and key label, "the --sign-command"); never a secret. */
  readonly description: string;
  /** The public half of the signing key: what the HSMs check the signatures with. */
  publicKey(): Promise<KeyObject>;
  /**
   * The raw PKCS#1 v1.5 signature over DigestInfo(SHA-256) || token of one 32-byte token. `place` (which
   * token of how many) only makes the signer's own error messages name the token.
   */
  sign(token: Buffer, place?: TokenPlace): Promise<Buffer>;
  /** Releases what the signer holds (PKCS#11 session and login); safe to call twice. */
  close(): Promise<void>;
}

/** What a signer may need from the user: a hidden prompt (PIN, pass phrase) and warnings (stderr). */
export type SignerIo = Prompter;

/**
 * Signs each token and verifies each signature with the signer's public key before returning any:
 * a signer that returns a wrong signature (a KMS key other than the registered one, a command that
 * re-hashes the token) is caught here, before a file is written or an HSM sees the signature.
 */
export async function signAll(signer: TokenSigner, tokens: readonly Buffer[]): Promise<Buffer[]> {
  const publicKey = await signer.publicKey();
  const signatures: Buffer[] = [];
  for (const [i, token] of tokens.entries()) {
    const signature = await signer.sign(token, { index: i + 1, total: tokens.length });
    if (!verifyTokenSignature(publicKey, token, signature)) {
      throw new HsmError('ERR_SIGNATURE_MISMATCH', {
        signer: signer.description,
        index: i + 1,
        total: tokens.length,
        unsigned: token.toString('base64'),
        key: `its public key ${keyFingerprint(publicKey)}`,
      });
    }
    signatures.push(signature);
  }
  return signatures;
}

/** A short, stable name for a public key in messages: SHA-256 of its SPKI DER, first 16 hex digits. */
export function keyFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `SHA256:${crypto.createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}
