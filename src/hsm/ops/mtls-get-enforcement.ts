// mtls-get-enforcement: this HSM's mtls enforcement level.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { enforcementLevel, requireMtlsSupported } from '../mtls.js';
import type { OpContext } from '../op-context.js';

export function mtlsGetEnforcement(
  ctx: OpContext,
  _args: OpArgs<'mtls-get-enforcement'>,
): OpResult<'mtls-get-enforcement'> {
  requireMtlsSupported(ctx.store);
  return { level: enforcementLevel(ctx.store) };
}
