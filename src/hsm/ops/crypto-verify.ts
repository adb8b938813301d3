// crypto-verify: verifies a signature with a public key the caller can see (every CU sees public keys).
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireAttribute, requireVisibleKey } from '../keys/key-rules.js';
import { checkMechanism, verifyWith } from '../keys/signing.js';
import type { OpContext } from '../op-context.js';
import { decodeBase64 } from '../keys/base64.js';

export function cryptoVerify(ctx: OpContext, args: OpArgs<'crypto-verify'>): OpResult<'crypto-verify'> {
  const { key } = requireVisibleKey(ctx, args.ref);
  if (key.keyClass !== 'public-key') throw new HsmError('ERR_KEY_ATTRIBUTE_REQUIRED', { name: 'verify' });
  requireAttribute(key, 'verify');
  checkMechanism(ctx.store, key, args);
  const ok = verifyWith(
    args,
    key.material,
    decodeBase64(args.digest, 'data'),
    decodeBase64(args.signature, 'signature'),
  );
  if (!ok) throw new HsmError('ERR_SIGNATURE_VERIFICATION');
  return {};
}
