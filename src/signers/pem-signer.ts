// A token signer over an RSA private key in a PEM file (what `localhsm token sign --private-key` and the
// CLI's --sign-with have always done), signing in-process exactly like the openssl recipe.
import crypto, { type KeyObject } from 'node:crypto';
import { isEncryptedPem, parsePrivateKey, readPem } from '../tokens/private-key.js';
import { signToken } from '../tokens/token-sign.js';
import type { TokenSigner } from './signer.js';

export class PemSigner implements TokenSigner {
  readonly description: string;
  private readonly publicKeyObject: KeyObject;

  private constructor(
    description: string,
    private readonly key: KeyObject,
  ) {
    this.description = description;
    this.publicKeyObject = crypto.createPublicKey(key);
  }

  /**
   * Loads the key; for an encrypted key `passphrase` is asked (a file's first line, or a hidden prompt);
   * without it an encrypted key is refused with a message saying so.
   */
  static open(file: string, passphrase?: () => Promise<string> | string): Promise<PemSigner> {
    return (async () => {
      const pem = readPem(file);
      const pass = isEncryptedPem(pem) && passphrase ? await passphrase() : undefined;
      return new PemSigner(`the private key ${file}`, parsePrivateKey(pem, file, pass));
    })();
  }

  /** Wraps a key already in memory (tests, library use). */
  static fromKey(key: KeyObject, description = 'an in-memory private key'): PemSigner {
    return new PemSigner(description, key);
  }

  async publicKey(): Promise<KeyObject> {
    return this.publicKeyObject;
  }

  async sign(token: Buffer): Promise<Buffer> {
    return signToken(this.key, token);
  }

  async close(): Promise<void> {}
}
