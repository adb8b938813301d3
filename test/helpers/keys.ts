// Test helpers: RSA key pairs for token-sign (generated once per name and process), and token signing.
import crypto, { type KeyObject } from 'node:crypto';

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  privatePem: string;
}

const cache = new Map<string, TestKeyPair>();

/** The same name gives the same key pair for the life of the test process. */
export function testKeyPair(name: string, modulusLength = 2048): TestKeyPair {
  const cacheKey = `${name}/${modulusLength}`;
  let pair = cache.get(cacheKey);
  if (!pair) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength });
    pair = {
      privateKey,
      publicKey,
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    cache.set(cacheKey, pair);
  }
  return pair;
}
