// quorum-list-operator: quorum-list for the operator of the state directory (localhsm console), who holds no login.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { liveTokens } from './quorum-list.js';

export function quorumListOperator(
  ctx: OpContext,
  args: OpArgs<'quorum-list-operator'>,
): OpResult<'quorum-list-operator'> {
  if (!ctx.node.isOperatorProof(args.proof)) throw new HsmError('ERR_OPERATOR_PROOF');
  // The operator of the state directory may read every HSM's database: every token, key tokens included.
  return liveTokens(ctx, () => true);
}
