// Password hashing: scrypt with a per-user salt, stored as a versioned string that records its parameters.
import crypto from 'node:crypto';

export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/** `strong` is the default for clusters people use; `fast` keeps test suites quick. */
export const KDF_PROFILES = {
  strong: { N: 2 ** 15, r: 8, p: 1 },
  fast: { N: 2 ** 10, r: 8, p: 1 },
} as const satisfies Record<string, KdfParams>;
export type KdfProfile = keyof typeof KDF_PROFILES;

export function isKdfProfile(value: string): value is KdfProfile {
  return Object.hasOwn(KDF_PROFILES, value);
}

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const FORMAT = /^scrypt\$v=1\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function scrypt(password: string, salt: Buffer, params: KdfParams, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 256 * params.N * params.r + 1024 * 1024;
    crypto.scrypt(password, salt, length, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hashes a password as `scrypt$v=1$N=..,r=..,p=..$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string, params: KdfParams): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt, params, HASH_BYTES);
  return `scrypt$v=1$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Checks a password against a stored hash in constant time. With no stored hash (unknown user)
 * it still spends one derivation with the given parameters, so timing does not tell the cases apart.
 */
export async function verifyPassword(
  password: string,
  stored: string | null,
  fallback: KdfParams,
): Promise<boolean> {
  const parsed = stored === null ? undefined : parseHash(stored);
  if (!parsed) {
    await scrypt(password, crypto.randomBytes(SALT_BYTES), fallback, HASH_BYTES);
    return false;
  }
  const actual = await scrypt(password, parsed.salt, parsed.params, parsed.hash.length);
  return crypto.timingSafeEqual(actual, parsed.hash);
}

function parseHash(stored: string): { params: KdfParams; salt: Buffer; hash: Buffer } | undefined {
  const m = FORMAT.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1) return undefined;
  return { params: { N, r, p }, salt: Buffer.from(m[4]!, 'base64'), hash: Buffer.from(m[5]!, 'base64') };
}
