// Stand-in for keys-mech's masking (maskMaterial/unmaskMaterial) until its branch lands; same signatures.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';

const aad = (context: string) => Buffer.from(`localhsm-core-mask\0${context}`);

export function maskMaterial(maskingKey: Buffer, context: string, material: Buffer): Buffer {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', maskingKey, iv);
  cipher.setAAD(aad(context));
  const body = Buffer.concat([cipher.update(material), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function unmaskMaterial(maskingKey: Buffer, context: string, blob: Buffer): Buffer {
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', maskingKey, blob.subarray(0, 12));
    decipher.setAAD(aad(context));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
  } catch {
    throw new HsmError('ERR_KEY_UNMASK', { context, detail: 'authentication failed' });
  }
}
