// Key material at rest: AES-256-GCM under the cluster's 32-byte masking key, bound to a context (the key
// reference) so a blob cannot be moved to another key's row.
//
// API (stable; keys-core builds on it):
//   newMaskingKey(): Buffer                                  (32 random bytes)
//   maskMaterial(maskingKey, context, material): Buffer      (versioned blob)
//   unmaskMaterial(maskingKey, context, blob): Buffer        (ERR_KEY_UNMASK on any mismatch or tampering)
// Blob v1: 0x01 ‖ IV (12 bytes, random) ‖ tag (16 bytes) ‖ ciphertext. AAD = "localhsm-mask-v1" ‖ 0x00 ‖
// context (UTF-8). The version byte is also authenticated (it is part of the AAD label), so a future v2 can
// change the layout without any v1 blob being read as v2.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';

export const MASKING_KEY_BYTES = 32;
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER = 1 + IV_BYTES + TAG_BYTES;

export function newMaskingKey(): Buffer {
  return crypto.randomBytes(MASKING_KEY_BYTES);
}

function aad(context: string): Buffer {
  return Buffer.concat([
    Buffer.from(`localhsm-mask-v${VERSION}`),
    Buffer.from([0]),
    Buffer.from(context, 'utf8'),
  ]);
}

function checkKey(maskingKey: Buffer, context: string): void {
  if (maskingKey.length !== MASKING_KEY_BYTES)
    throw new HsmError('ERR_KEY_UNMASK', {
      context,
      detail: `the masking key is ${maskingKey.length} bytes, not ${MASKING_KEY_BYTES}`,
    });
}

export function maskMaterial(maskingKey: Buffer, context: string, material: Buffer): Buffer {
  checkKey(maskingKey, context);
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', maskingKey, iv);
  cipher.setAAD(aad(context));
  const body = Buffer.concat([cipher.update(material), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function unmaskMaterial(maskingKey: Buffer, context: string, blob: Buffer): Buffer {
  checkKey(maskingKey, context);
  if (blob.length < HEADER || blob[0] !== VERSION)
    throw new HsmError('ERR_KEY_UNMASK', {
      context,
      detail: blob.length < HEADER ? 'the blob is truncated' : `unknown blob version ${blob[0]}`,
    });
  const decipher = crypto.createDecipheriv('aes-256-gcm', maskingKey, blob.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(aad(context));
  decipher.setAuthTag(blob.subarray(1 + IV_BYTES, HEADER));
  try {
    return Buffer.concat([decipher.update(blob.subarray(HEADER)), decipher.final()]);
  } catch {
    throw new HsmError('ERR_KEY_UNMASK', {
      context,
      detail: 'authentication failed (wrong masking key, wrong key reference or altered data)',
    });
  }
}
