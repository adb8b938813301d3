// quorum-set-value: an admin sets a service's quorum value M (1, or 2 to 8), approved per the current `quorum` value.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { isValidQuorumValue } from '../../protocol/quorum.js';
import type { OpContext } from '../op-context.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import { guardQuorumValue } from '../quorum/approvers.js';
import { setQuorumValue } from '../quorum/settings.js';
import { parseAdminService } from './quorum-generate.js';

export function quorumSetValue(
  ctx: OpContext,
  args: OpArgs<'quorum-set-value'>,
): OpResult<'quorum-set-value'> {
  const service = parseAdminService(args.service, ctx.store);
  if (!isValidQuorumValue(args.value))
    throw new HsmError('ERR_QUORUM_VALUE', { value: String(args.value).slice(0, 32) });
  const grant = requireQuorumApproval(ctx, 'quorum', args.approval);
  const warning = ctx.store.transaction(() => {
    const warned = guardQuorumValue(ctx.store, service, args.value, args.allowUnmanageable);
    setQuorumValue(ctx.store, service, args.value);
    grant.commit();
    return warned;
  });
  return warning ? { warning } : {};
}
