// What the key and crypto commands share: filter options, numbers, data and signature inputs, creation options.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import { readInputFile } from '../files/read-input.js';
import { describeFsError } from '../files/fs-error.js';
import type { OptionSpec, ParsedOptions } from '../command/spec.js';
import { DIGEST_INFO_PREFIX, HASHES, type HashName, MGFS } from '../keys/sign.js';

export function filterOption<N extends string>(
  long: N,
  value: string,
  help: string,
  required = true,
): OptionSpec<N> {
  return { long, value, words: true, required, help };
}

export const KEY_FILTER_HELP =
  'Key reference (e.g. key-reference=0xabc) or space separated list of key attributes in the form of attr.KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE to select a matching key';

/** A whole number option (clap would refuse anything else with a usage error; ours names the option). */
export function wholeNumberOption(text: string, name: string): number {
  if (!/^\d{1,9}$/.test(text))
    throw new HsmError('ERR_KEY_PARAMETERS', {
      detail: `${name} must be a whole number, got '${text.slice(0, 32)}'`,
    });
  return Number(text);
}

export const SESSION_OPTION: OptionSpec<'session'> = {
  long: 'session',
  help: 'Creates a session key that exists only in the current session. The key cannot be recovered after the session ends',
};

export function shareOption(what: string): OptionSpec<'share-crypto-users'> {
  return {
    long: 'share-crypto-users',
    value: 'SHARE_CRYPTO_USERS',
    words: true,
    help: `Space separated list of Crypto User usernames to share the ${what} with`,
  };
}

export function quorumOption<N extends string>(long: N, value: string, what: string): OptionSpec<N> {
  return {
    long,
    value,
    help: `The quorum value for ${what} operations. This value must be less than or equal to the number of users that the key is associated with. This includes users with whom the key is shared and the key owner. Max value of 8`,
  };
}

/** An optional quorum value option. */
export function optionalNumber(options: ParsedOptions<string>, name: string): number | undefined {
  const text = options.string(name);
  return text === undefined ? undefined : wholeNumberOption(text, name);
}

export const HASH_OPTION: OptionSpec<'hash-function'> = {
  long: 'hash-function',
  value: 'HASH_FUNCTION',
  required: true,
  help: 'Hash function',
  possible: HASHES.map((value) => ({ value })),
};
export const DATA_TYPE_OPTION: OptionSpec<'data-type'> = {
  long: 'data-type',
  value: 'DATA_TYPE',
  help: 'The type of data passed in, either raw or digest',
  possible: [{ value: 'raw' }, { value: 'digest' }],
};
export const MGF_OPTION: OptionSpec<'mgf'> = {
  long: 'mgf',
  value: 'MGF',
  required: true,
  help: 'The mask generation function',
  possible: MGFS.map((value) => ({ value })),
};
export const SALT_OPTION: OptionSpec<'salt-length'> = {
  long: 'salt-length',
  value: 'SALT_LENGTH',
  required: true,
  help: 'The salt length',
};

/** Raw data hashing can be long: files up to this size are read (the HSM only ever sees the digest). */
const MAX_DATA_BYTES = 256 * 1024 * 1024;

function readFile(file: string, what: string): Buffer {
  try {
    return readInputFile(file, MAX_DATA_BYTES);
  } catch (error) {
    throw new HsmError('ERR_FILE', { action: `read the ${what} file`, file, detail: describeFsError(error) });
  }
}

function strictBase64(text: string, what: string): Buffer {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0)
    throw new HsmError('ERR_SIGN_INPUT', { mechanism: what, detail: 'not base64' });
  return Buffer.from(t, 'base64');
}

/** The data of `--data <base64>` or `--data-path <file of raw bytes>`. */
export function dataFrom(options: ParsedOptions<'data' | 'data-path'>): Buffer {
  const path = options.string('data-path');
  return path !== undefined ? readFile(path, 'data') : strictBase64(options.required('data'), 'data');
}

/** `--signature <base64>` or `--signature-path`: raw bytes, or a file whose whole content is base64 of them. */
export function signatureFrom(options: ParsedOptions<'signature' | 'signature-path'>): Buffer {
  const path = options.string('signature-path');
  if (path === undefined) return strictBase64(options.required('signature'), 'signature');
  const bytes = readFile(path, 'signature');
  const text = bytes.toString('latin1').trim();
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0 && text.length >= 64
    ? Buffer.from(text, 'base64')
    : bytes;
}

/**
 * What the HSM signs: hashing happens in the client, as in CloudHSM (so data size is unlimited). Raw data is
 * hashed here; rsa-pkcs takes its DER DigestInfo. `--data-type digest` data goes as given.
 */
export function digestFor(
  mechanism: string,
  hash: HashName,
  dataType: string | undefined,
  data: Buffer,
): string {
  if (dataType === 'digest') return data.toString('base64');
  const h = crypto.createHash(hash).update(data).digest();
  return (mechanism === 'rsa-pkcs' ? Buffer.concat([DIGEST_INFO_PREFIX[hash], h]) : h).toString('base64');
}
