// The mechanism parameters of key-wrap/key-unwrap as the wire carries them, turned into src/keys' WrapParams.
import { HsmError } from '../../errors.js';
import type { WrapMechanism, WrapParams } from '../../keys/wrap.js';
import { wrappingKeyType } from '../../keys/wrap.js';
import type { KeyRecord } from './record.js';

/** `0x`-optional hex of an even number of digits. */
export function hexBytes(text: string, what: string, mechanism: string): Buffer {
  const t = text.replace(/^0x/i, '');
  if (!/^([0-9a-f]{2})*$/i.test(t))
    throw new HsmError('ERR_MECHANISM_PARAMETERS', {
      mechanism,
      detail: `the ${what} must be hex (e.g. 0x10)`,
    });
  return Buffer.from(t, 'hex');
}

export function wrapParams(
  mechanism: WrapMechanism,
  args: {
    tagLengthBits?: number;
    aad?: string;
    hash?: WrapParams['hash'];
    mgf?: WrapParams['mgf'];
    iv?: string;
  },
): WrapParams {
  return {
    ...(args.tagLengthBits !== undefined ? { tagLengthBits: args.tagLengthBits } : {}),
    ...(args.aad !== undefined ? { aad: hexBytes(args.aad, 'AAD', mechanism) } : {}),
    ...(args.iv !== undefined ? { iv: hexBytes(args.iv, 'IV', mechanism) } : {}),
    ...(args.hash !== undefined ? { hash: args.hash } : {}),
    ...(args.mgf !== undefined ? { mgf: args.mgf } : {}),
  };
}

/**
 * The key a mechanism wraps with (an AES secret key, or an RSA public key) or unwraps with (an AES secret key,
 * or an RSA private key); anything else is refused before any material is opened.
 */
export function checkMechanismKey(
  mechanism: WrapMechanism,
  key: KeyRecord,
  operation: 'wrap' | 'unwrap',
): void {
  const aes = wrappingKeyType(mechanism) === 'aes';
  const ok = aes
    ? key.keyType === 'aes'
    : key.keyType === 'rsa' && key.keyClass === (operation === 'wrap' ? 'public-key' : 'private-key');
  if (!ok)
    throw new HsmError('ERR_KEY_MECHANISM', {
      detail: `${mechanism} ${operation === 'wrap' ? 'wraps with' : 'unwraps with'} ${
        aes ? 'an AES key' : `an RSA ${operation === 'wrap' ? 'public' : 'private'} key`
      }, not a ${key.keyType} ${key.keyClass}`,
    });
}
