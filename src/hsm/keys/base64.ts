// Strict base64 of wire arguments (data, signatures): a malformed value is refused, never half-read.
import { HsmError } from '../../errors.js';

export function decodeBase64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
    throw new HsmError('ERR_KEY_MECHANISM', { detail: `the ${what} is not base64` });
  return Buffer.from(text, 'base64');
}
