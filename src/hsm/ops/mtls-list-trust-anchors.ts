// mtls-list-trust-anchors: this HSM's trust anchors (no login needed, as in CloudHSM).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireMtlsSupported, trustAnchors } from '../mtls.js';
import type { OpContext } from '../op-context.js';

export function mtlsListTrustAnchors(
  ctx: OpContext,
  _args: OpArgs<'mtls-list-trust-anchors'>,
): OpResult<'mtls-list-trust-anchors'> {
  requireMtlsSupported(ctx.store);
  return { anchors: trustAnchors(ctx.store) };
}
