// Quorum registration token files (spec §5.2): one entry for the cluster (older files: one per HSM), each approval_data with its unsigned hash and signature.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import { fsErrorCode } from '../files/fs-error.js';
import { readInputFile } from '../files/read-input.js';
import { MAX_REGISTRATION_DATA_BYTES, type RegistrationEntry } from '../protocol/quorum.js';
import { TOKEN_FILE_VERSION } from './token-file.js';
import { decodeBase64Strict } from './token-sign.js';

export interface RegistrationFile {
  version: string;
  tokens: { approval_data: string; unsigned: string; signed: string; [member: string]: unknown }[];
  [member: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function newRegistrationFile(
  entries: readonly { approvalData: string; unsigned: string }[],
): RegistrationFile {
  return {
    version: TOKEN_FILE_VERSION,
    tokens: entries.map((e) => ({ approval_data: e.approvalData, unsigned: e.unsigned, signed: '' })),
  };
}

/** Reads a signed registration file; every entry must be signed (the value signed is `unsigned`). */
export function readSignedRegistrationFile(file: string): RegistrationEntry[] {
  const invalid = (detail: string) => new HsmError('ERR_QUORUM_FILE', { file, detail });
  let text: string;
  try {
    text = readInputFile(file).toString('utf8');
  } catch (error) {
    throw invalid(`cannot read it (${fsErrorCode(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('it is not valid JSON');
  }
  if (!isObject(json)) throw invalid('it is not a JSON object');
  if (json.version !== TOKEN_FILE_VERSION) throw invalid(`version must be "${TOKEN_FILE_VERSION}"`);
  if (!Array.isArray(json.tokens) || json.tokens.length === 0 || json.tokens.length > 64) {
    throw invalid('tokens must be an array of 1 to 64 entries');
  }
  return json.tokens.map((entry, i): RegistrationEntry => {
    if (!isObject(entry)) throw invalid(`tokens[${i}] is not an object`);
    const data =
      typeof entry.approval_data === 'string' ? decodeBase64Strict(entry.approval_data) : undefined;
    if (!data || data.length === 0 || data.length > MAX_REGISTRATION_DATA_BYTES) {
      throw invalid(
        `tokens[${i}].approval_data must be base64 of 1 to ${MAX_REGISTRATION_DATA_BYTES} bytes (this is not a registration token file)`,
      );
    }
    const unsigned = typeof entry.unsigned === 'string' ? decodeBase64Strict(entry.unsigned) : undefined;
    if (!unsigned || !unsigned.equals(crypto.createHash('sha256').update(data).digest())) {
      throw invalid(`tokens[${i}].unsigned is not the base64 SHA-256 of approval_data`);
    }
    if (typeof entry.signed !== 'string' || entry.signed === '') {
      throw invalid(`tokens[${i}].signed is empty: sign each unsigned value with the private key first`);
    }
    if (!decodeBase64Strict(entry.signed))
      throw invalid(`tokens[${i}].signed is not base64 (one line, no spaces: base64 -w0)`);
    return {
      approvalData: entry.approval_data as string,
      unsigned: entry.unsigned as string,
      signed: entry.signed,
    };
  });
}
