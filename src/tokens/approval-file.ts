// Quorum approval token files (spec §5.4): strict parse and validation, unknown members preserved, written 0600.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import { fsErrorCode } from '../files/fs-error.js';
import { readInputFile } from '../files/read-input.js';
import { type Approval, MAX_APPROVAL_DATA_BYTES } from '../protocol/quorum.js';
import { TOKEN_FILE_VERSION } from './token-file.js';
import { decodeBase64Strict } from './token-sign.js';

/** One approver's entry; `signature` is '' in a placeholder not signed yet. Other members (e.g. `role`) are kept. */
export interface SignatureEntry {
  username: string;
  signature: string;
  [member: string]: unknown;
}

/** An approval file as JSON, members in file order; what LocalHSM writes starts with these four. */
export interface ApprovalFile {
  version: string;
  approval_data: string;
  token: string;
  signatures: SignatureEntry[];
  [member: string]: unknown;
}

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest();

function invalid(file: string, detail: string): HsmError {
  return new HsmError('ERR_QUORUM_FILE', { file, detail });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates an approval file's JSON text; the result keeps every member as read. */
export function parseApprovalFile(text: string, file: string): ApprovalFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid(file, 'it is not valid JSON');
  }
  if (!isObject(json)) throw invalid(file, 'it is not a JSON object');
  if (!('approval_data' in json) && Array.isArray(json.tokens)) {
    throw invalid(
      file,
      'it holds tokens[] (a registration or MFA token file); an approval file has approval_data, token and signatures',
    );
  }
  if (json.version !== TOKEN_FILE_VERSION) throw invalid(file, `version must be "${TOKEN_FILE_VERSION}"`);
  if (typeof json.approval_data !== 'string') throw invalid(file, 'approval_data is missing');
  const data = decodeBase64Strict(json.approval_data);
  if (!data || data.length === 0 || data.length > MAX_APPROVAL_DATA_BYTES) {
    throw invalid(file, `approval_data must be base64 of 1 to ${MAX_APPROVAL_DATA_BYTES} bytes`);
  }
  if (typeof json.token !== 'string') throw invalid(file, 'token is missing');
  const token = decodeBase64Strict(json.token);
  if (!token || token.length !== 32) throw invalid(file, 'token must be base64 of 32 bytes');
  if (!crypto.timingSafeEqual(token, sha256(data)))
    throw invalid(file, 'token is not the SHA-256 of approval_data');
  if (!Array.isArray(json.signatures)) throw invalid(file, 'signatures must be an array');
  json.signatures.forEach((entry, i) => {
    if (!isObject(entry)) throw invalid(file, `signatures[${i}] is not an object`);
    if (typeof entry.username !== 'string' || entry.username.length === 0 || entry.username.length > 64) {
      throw invalid(file, `signatures[${i}].username must be a non-empty string`);
    }
    if (typeof entry.signature !== 'string')
      throw invalid(file, `signatures[${i}].signature must be a string`);
    if (entry.signature !== '' && !decodeBase64Strict(entry.signature)) {
      throw invalid(file, `signatures[${i}].signature is not base64 (one line, no spaces: base64 -w0)`);
    }
    if ('role' in entry && typeof entry.role !== 'string')
      throw invalid(file, `signatures[${i}].role must be a string`);
  });
  return json as ApprovalFile;
}

export function readApprovalFile(file: string): ApprovalFile {
  let text: string;
  try {
    text = readInputFile(file).toString('utf8');
  } catch (error) {
    throw invalid(file, `cannot read it (${fsErrorCode(error)})`);
  }
  return parseApprovalFile(text, file);
}

/** A new, unsigned approval file for the HSMs' concatenated records. */
export function newApprovalFile(approvalData: Buffer): ApprovalFile {
  return {
    version: TOKEN_FILE_VERSION,
    approval_data: approvalData.toString('base64'),
    token: sha256(approvalData).toString('base64'),
    signatures: [],
  };
}

/** The 32-byte token approvers sign. */
export function tokenOf(file: ApprovalFile): Buffer {
  return Buffer.from(file.token, 'base64');
}

/** Whether an entry carries a signature (not an empty placeholder). */
export const isSigned = (entry: SignatureEntry) => entry.signature !== '';

/** What `--approval FILE` sends to every HSM: the token and the signed entries. */
export function toWireApproval(file: ApprovalFile): Approval {
  return {
    approvalData: file.approval_data,
    token: file.token,
    signatures: file.signatures
      .filter(isSigned)
      .map((e) => ({ username: e.username, signature: e.signature })),
  };
}
