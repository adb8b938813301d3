// localhsm token verify: which tokens of a signed token file verify with a public key (exit 0 only when all do).
import crypto, { type KeyObject } from 'node:crypto';
import { HsmError } from '../../../errors.js';
import { type TokenEntry, readTokenFile } from '../../../tokens/mfa-file.js';
import { readPem } from '../../../tokens/private-key.js';
import { decodeBase64Strict, verifyTokenSignature } from '../../../tokens/token-sign.js';
import { localCommand } from '../../context.js';

export type TokenVerdict = 'verified' | 'invalid' | 'unsigned' | 'malformed';

export interface TokenReport {
  index: number;
  unsigned: string;
  status: TokenVerdict;
  detail: string;
}

/** The verdict on one token: the same strict check the HSM makes (any RSA key size here). */
export function verdictOf(key: KeyObject, entry: TokenEntry): Omit<TokenReport, 'index' | 'unsigned'> {
  if (entry.signed === '') return { status: 'unsigned', detail: 'not signed' };
  const signature = decodeBase64Strict(entry.signed);
  if (!signature)
    return {
      status: 'malformed',
      detail: '"signed" is not strict base64 (one line, as base64 -w0 prints it)',
    };
  const bytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (signature.length !== bytes) {
    return {
      status: 'invalid',
      detail: `the signature is ${signature.length} bytes; this key makes ${bytes}-byte signatures`,
    };
  }
  return verifyTokenSignature(key, entry.token, signature)
    ? { status: 'verified', detail: 'verified' }
    : { status: 'invalid', detail: 'the signature does not verify with this key' };
}

export function parseRsaPublicKey(pem: string, file: string): KeyObject {
  let key: KeyObject;
  try {
    key = crypto.createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new HsmError('ERR_BAD_PUBLIC_KEY', { detail: `${file} is not a PEM public key` });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new HsmError('ERR_BAD_PUBLIC_KEY', {
      detail: `${file} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; token-sign uses RSA keys`,
    });
  }
  return key;
}

export const tokenVerifyCommand = localCommand({
  path: ['token', 'verify'],
  about: 'Check which tokens of a signed MFA or registration token file verify with a public key',
  options: [
    { long: 'token', value: 'FILE', required: true, help: 'Signed token file' },
    {
      long: 'public-key',
      value: 'PEM',
      required: true,
      help: 'PEM file of the RSA public key (SPKI or PKCS#1)',
    },
    { long: 'json', help: 'Print JSON instead of one line per token' },
  ],
  examples: ['localhsm token verify --token unsigned-tokens.json --public-key officer1.pub'],
  async run(options, ctx) {
    const tokenPath = options.required('token');
    const keyPath = options.required('public-key');
    const file = readTokenFile(tokenPath);
    const key = parseRsaPublicKey(readPem(keyPath), keyPath);
    const reports: TokenReport[] = file.tokens.map((entry, i) => ({
      index: i + 1,
      unsigned: entry.unsigned,
      ...verdictOf(key, entry),
    }));
    const verified = reports.filter((r) => r.status === 'verified').length;
    const total = reports.length;
    if (options.flag('json')) {
      ctx.out(
        JSON.stringify({ file: tokenPath, kind: file.kind, verified, total, tokens: reports }, null, 2),
      );
    } else {
      for (const r of reports) {
        ctx.out(
          `token ${r.index} of ${total} (unsigned ${r.unsigned}): ${r.status === 'verified' ? 'verified' : `FAILED: ${r.detail}`}`,
        );
      }
      ctx.out(`${verified} of ${total} token(s) verify with ${keyPath}`);
    }
    return verified === total ? 0 : 1;
  },
});
