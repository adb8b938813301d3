// quorum-list-values: the quorum value of each admin service on this HSM (no login needed).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { quorumValue } from '../quorum/settings.js';

export function quorumListValues(
  ctx: OpContext,
  _args: OpArgs<'quorum-list-values'>,
): OpResult<'quorum-list-values'> {
  return {
    user: quorumValue(ctx.store, 'user'),
    quorum: quorumValue(ctx.store, 'quorum'),
    cluster: quorumValue(ctx.store, 'cluster'),
  };
}
