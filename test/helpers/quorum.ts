// Test helpers for quorum: RSA-2048 token-sign keys, approval payloads, signing as an approver would.
import crypto, { type KeyObject } from 'node:crypto';
import type { Approval } from '../../src/protocol/quorum.js';
import { signToken } from '../../src/tokens/token-sign.js';

export interface TestKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM, what `openssl rsa -pubout` writes. */
  publicPem: string;
  /** PKCS#8 PEM of the private key. */
  privatePem: string;
}

const cache: TestKey[] = [];

/** `n` RSA-2048 key pairs, generated once per test process. */
export function rsaKeys(n: number): TestKey[] {
  while (cache.length < n) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    cache.push({
      privateKey,
      publicKey,
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
  }
  return cache.slice(0, n);
}

export const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest();

/** The approval a client builds from the HSMs' records (in config order), with no signatures yet. */
export function approvalOf(records: readonly Buffer[]): Approval {
  const data = Buffer.concat(records);
  return { approvalData: data.toString('base64'), token: sha256(data).toString('base64'), signatures: [] };
}

/** A copy of `approval` with `username`'s signature of its token appended. */
export function withSignature(approval: Approval, username: string, key: KeyObject): Approval {
  const signature = signToken(key, Buffer.from(approval.token, 'base64')).toString('base64');
  return { ...approval, signatures: [...approval.signatures, { username, signature }] };
}
