// key-wrap: a private or secret key the caller owns, wrapped under a key the caller may use (spec §10.1, §10.3).
import { HsmError } from '../../errors.js';
import { wrapKey } from '../../keys/wrap.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireAttribute, requireMasking, requireOwnedKey, requireUsableKey } from '../keys/key-rules.js';
import { formatRef } from '../keys/record.js';
import { checkMechanismKey, wrapParams } from '../keys/wrap-params.js';
import type { OpContext } from '../op-context.js';

export function keyWrap(ctx: OpContext, args: OpArgs<'key-wrap'>): OpResult<'key-wrap'> {
  const payload = requireOwnedKey(ctx, args.payloadRef);
  const wrapping = requireUsableKey(ctx, args.wrappingRef);
  ctx.auditTarget = `${formatRef(payload.ref)} ${formatRef(wrapping.ref)}`;
  if (payload.keyClass === 'public-key')
    throw new HsmError('ERR_KEY_MECHANISM', {
      detail: 'a public key is not wrapped; write it with key generate-file --encoding pem',
    });
  // A non-extractable key never leaves the HSM, wrapped or not.
  requireAttribute(payload, 'extractable');
  requireAttribute(wrapping, 'wrap');
  checkMechanismKey(args.mechanism, wrapping, 'wrap');
  if (payload.attributes['wrap-with-trusted'] === true && wrapping.attributes.trusted !== true)
    throw new HsmError('ERR_KEY_WRAP_TRUSTED');
  // Key-management approvals are not implemented yet: a key with a manage quorum cannot be wrapped.
  if (payload.manageQuorum > 1 || wrapping.manageQuorum > 1) throw new HsmError('ERR_KEY_QUORUM_FAILED');
  const params = wrapParams(args.mechanism, args);
  const masking = requireMasking(ctx);
  const clear = masking.openMaterial(payload.ref, payload.material);
  const wrappingKey =
    wrapping.keyClass === 'public-key'
      ? wrapping.material
      : masking.openMaterial(wrapping.ref, wrapping.material);
  try {
    const { wrapped, iv } = wrapKey(args.mechanism, wrappingKey, clear, params);
    return {
      payloadRef: formatRef(payload.ref),
      wrappingRef: formatRef(wrapping.ref),
      wrapped: wrapped.toString('base64'),
      ...(iv ? { iv: '0x' + iv.toString('hex') } : {}),
    };
  } finally {
    clear.fill(0);
    if (wrappingKey !== wrapping.material) wrappingKey.fill(0);
  }
}
