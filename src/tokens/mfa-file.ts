// Token files as cloudhsm-cli writes them: MFA `{"version":"2.0","tokens":[{"unsigned","signed"}]}` and
// quorum registration (each token also carries `approval_data`; 5.18 adds a `signatures` array). Parsed
// strictly, rewritten with every field we do not know kept as it was: the value to sign is always
// `tokens[].unsigned`.
import { HsmError } from '../errors.js';
import { readTextFile } from '../files/read-input.js';
import { TOKEN_FILE_VERSION, tokenFileText } from './token-file.js';
import { REQUIRED_MODULUS_BITS, TOKEN_BYTES, decodeBase64Strict } from './token-sign.js';

export interface TokenEntry {
  /** The `unsigned` value exactly as in the file (base64 of 32 bytes). */
  unsigned: string;
  token: Buffer;
  /** The `signed` value as in the file; '' when not signed yet. */
  signed: string;
}

export interface TokenFile {
  kind: 'mfa' | 'registration';
  tokens: TokenEntry[];
  /** The whole JSON document, so that a rewrite changes nothing but the `signed` values. */
  document: Record<string, unknown>;
}

/** What the client sends for one issued token, with where it came from for error messages. */
export interface TokenSignature {
  unsigned: string;
  /** base64 (strict) of the signature. */
  signature: string;
  /** 1-based position in the signed file, and the number of tokens in it. */
  index: number;
  total: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseTokenFile(text: string, file: string): TokenFile {
  const invalid = (detail: string) => new HsmError('ERR_TOKEN_FILE', { file, detail });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw invalid('it is not JSON');
  }
  if (!isObject(document)) throw invalid('it is not a JSON object');
  if (document.version !== TOKEN_FILE_VERSION) {
    throw invalid(
      `"version" is ${JSON.stringify(document.version) ?? 'missing'}; expected "${TOKEN_FILE_VERSION}"`,
    );
  }
  if (!('tokens' in document) && 'token' in document) {
    throw invalid(
      'it is a quorum approval token file (one top-level "token", signed into "signatures"), not an MFA or registration token file',
    );
  }
  const tokens = document.tokens;
  if (!Array.isArray(tokens) || tokens.length === 0) throw invalid('"tokens" must be a non-empty array');
  const entries = tokens.map((raw, i): TokenEntry & { registration: boolean } => {
    const where = `token ${i + 1} of ${tokens.length}`;
    if (!isObject(raw)) throw invalid(`${where} is not an object`);
    if (typeof raw.unsigned !== 'string') throw invalid(`${where} has no "unsigned" value`);
    const token = decodeBase64Strict(raw.unsigned);
    if (!token || token.length !== TOKEN_BYTES)
      throw invalid(`${where}: "unsigned" is not base64 of a ${TOKEN_BYTES}-byte token`);
    if (raw.signed !== undefined && typeof raw.signed !== 'string')
      throw invalid(`${where}: "signed" must be a string`);
    if (
      raw.approval_data !== undefined &&
      (typeof raw.approval_data !== 'string' || !decodeBase64Strict(raw.approval_data))
    ) {
      throw invalid(`${where}: "approval_data" is not base64`);
    }
    return {
      unsigned: raw.unsigned,
      token,
      signed: raw.signed ?? '',
      registration: raw.approval_data !== undefined,
    };
  });
  const registration = entries.filter((e) => e.registration).length;
  if (registration !== 0 && registration !== entries.length) {
    throw invalid(
      'some tokens have "approval_data" and some do not (a registration file has it on every token)',
    );
  }
  return {
    kind: registration ? 'registration' : 'mfa',
    tokens: entries.map(({ unsigned, token, signed }) => ({ unsigned, token, signed })),
    document,
  };
}

export function readTokenFile(file: string): TokenFile {
  return parseTokenFile(readTextFile(file), file);
}

/** The same document with new `signed` values (by token index); everything else as it was. */
export function withSignatures(
  file: TokenFile,
  signed: (entry: TokenEntry, index: number) => string,
): TokenFile {
  const rawTokens = file.document.tokens as Record<string, unknown>[];
  const tokens = file.tokens.map((entry, i) => ({ ...entry, signed: signed(entry, i) }));
  const document = {
    ...file.document,
    tokens: rawTokens.map((raw, i) => ({ ...raw, signed: tokens[i]!.signed })),
  };
  return { ...file, tokens, document };
}

export function renderTokenFile(file: TokenFile): string {
  return tokenFileText(file.document);
}

/** The document cloudhsm-cli writes for an MFA login or change: one token per HSM, in HSM order. */
export function unsignedTokenDocument(tokens: readonly string[]): object {
  return { version: TOKEN_FILE_VERSION, tokens: tokens.map((unsigned) => ({ unsigned, signed: '' })) };
}

/** The text of unsignedTokenDocument, as written. */
export function unsignedTokenFile(tokens: readonly string[]): string {
  return tokenFileText(unsignedTokenDocument(tokens));
}

/**
 * The signature for each issued token, found by its `unsigned` value (the order in the file does not
 * matter). Refuses tokens this operation did not issue (an old or foreign file), repeated or missing
 * tokens, and `signed` values that are not strict base64 of one RSA-2048 signature.
 */
export function matchSignatures(
  file: TokenFile,
  fileName: string,
  issued: readonly { unsigned: string; hsm: string }[],
): TokenSignature[] {
  const ours = new Set(issued.map((i) => i.unsigned));
  const total = file.tokens.length;
  const seen = new Map<string, TokenSignature>();
  const bytes = REQUIRED_MODULUS_BITS / 8;
  file.tokens.forEach((entry, i) => {
    const at = { index: i + 1, total, unsigned: entry.unsigned, file: fileName };
    const first = seen.get(entry.unsigned);
    if (first) {
      throw new HsmError('ERR_TOKEN_FILE', {
        file: fileName,
        detail: `token ${i + 1} repeats the "unsigned" value of token ${first.index}`,
      });
    }
    if (!ours.has(entry.unsigned)) throw new HsmError('ERR_TOKEN_NOT_ISSUED', at);
    if (entry.signed === '') throw new HsmError('ERR_TOKEN_NOT_SIGNED', at);
    const signature = decodeBase64Strict(entry.signed);
    if (!signature || signature.length !== bytes)
      throw new HsmError('ERR_TOKEN_BAD_SIGNED', { ...at, bytes });
    seen.set(entry.unsigned, { unsigned: entry.unsigned, signature: entry.signed, index: i + 1, total });
  });
  for (const token of issued) {
    if (!seen.has(token.unsigned))
      throw new HsmError('ERR_TOKEN_MISSING', { hsm: token.hsm, unsigned: token.unsigned, file: fileName });
  }
  return issued.map((token) => seen.get(token.unsigned)!);
}
