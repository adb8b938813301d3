// crypto-verify: verifies a signature over a digest with a public key the caller can see (every CU sees public keys).
import { HsmError } from '../../errors.js';
import { type MgfName, verifyData } from '../../keys/sign.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireAttribute, requireVisibleKey } from '../keys/key-rules.js';
import type { OpContext } from '../op-context.js';
import { decodeBase64 } from '../keys/base64.js';

export function cryptoVerify(ctx: OpContext, args: OpArgs<'crypto-verify'>): OpResult<'crypto-verify'> {
  const { key } = requireVisibleKey(ctx, args.ref);
  if (key.keyClass !== 'public-key') throw new HsmError('ERR_KEY_ATTRIBUTE_REQUIRED', { name: 'verify' });
  requireAttribute(key, 'verify');
  const expected = args.mechanism === 'ecdsa' ? 'ec' : 'rsa';
  if (key.keyType !== expected)
    throw new HsmError('ERR_KEY_MECHANISM', {
      detail: `${args.mechanism} needs an ${expected} key, not ${key.keyType}`,
    });
  const ok = verifyData(
    {
      mechanism: args.mechanism,
      hash: args.hash,
      dataType: 'digest',
      ...(args.mgf ? { mgf: args.mgf as MgfName } : {}),
      ...(args.saltLength !== undefined ? { saltLength: args.saltLength } : {}),
    },
    key.material,
    decodeBase64(args.digest, 'data'),
    decodeBase64(args.signature, 'signature'),
  );
  if (!ok) throw new HsmError('ERR_SIGNATURE_VERIFICATION');
  return {};
}
