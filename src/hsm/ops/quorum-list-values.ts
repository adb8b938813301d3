// quorum-list-values: the quorum value of each admin service on this HSM (no login needed); an hsm1.medium has no
// `cluster` service (spec §5.7).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { quorumValue } from '../quorum/settings.js';
import { readSetting } from '../settings.js';

export function quorumListValues(
  ctx: OpContext,
  _args: OpArgs<'quorum-list-values'>,
): OpResult<'quorum-list-values'> {
  return {
    user: quorumValue(ctx.store, 'user'),
    quorum: quorumValue(ctx.store, 'quorum'),
    ...(readSetting(ctx.store, 'hsm_type') === 'hsm2m.medium' && {
      cluster: quorumValue(ctx.store, 'cluster'),
    }),
  };
}
