// key-wrap: a private or secret key the caller owns, wrapped under a key the caller may use (spec §10.1, §10.3).
import { HsmError } from '../../errors.js';
import { wrapKey } from '../../keys/wrap.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireAttribute, requireMasking, requireOwnedKey, requireUsableKey } from '../keys/key-rules.js';
import { formatRef } from '../keys/record.js';
import { checkMechanismKey, wrapParams } from '../keys/wrap-params.js';
import type { OpContext } from '../op-context.js';
import { requireKeyQuorumApproval } from '../quorum/approval.js';

export function keyWrap(ctx: OpContext, args: OpArgs<'key-wrap'>): OpResult<'key-wrap'> {
  const payload = requireOwnedKey(ctx, args.payloadRef);
  const wrapping = requireUsableKey(ctx, args.wrappingRef);
  // Key material leaves the HSM (wrapped): every attempt on keys the caller may touch is audited.
  ctx.auditRead = true;
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
  // Each key's own key-management quorum, each with its own token (spec §13: --payload-approval, --wrapping-approval).
  const grants = [
    requireKeyQuorumApproval(ctx, payload, 'key-management', args.payloadApproval),
    requireKeyQuorumApproval(ctx, wrapping, 'key-management', args.wrappingApproval),
  ];
  const params = wrapParams(args.mechanism, args);
  const masking = requireMasking(ctx);
  const clear = masking.openMaterial(payload.ref, payload.material);
  const wrappingKey =
    wrapping.keyClass === 'public-key'
      ? wrapping.material
      : masking.openMaterial(wrapping.ref, wrapping.material);
  try {
    const { wrapped, iv } = wrapKey(args.mechanism, wrappingKey, clear, params);
    for (const grant of grants) grant.commit();
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
