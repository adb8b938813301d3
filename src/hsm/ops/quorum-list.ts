// quorum-list: the live admin-service quorum tokens on this HSM (of every user), with approvals and time left.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { isAdminService } from '../../protocol/quorum.js';
import type { OpContext } from '../op-context.js';
import { quorumValue, tokenTimeouts } from '../quorum/settings.js';
import { deadlineOf } from '../quorum/tokens.js';

export function quorumList(ctx: OpContext, _args: OpArgs<'quorum-list'>): OpResult<'quorum-list'> {
  const now = ctx.node.clock.now();
  const timeouts = tokenTimeouts(ctx.store);
  const tokens = ctx.node.quorumTokens.live().flatMap((t) => {
    const service = t.service;
    if (!isAdminService(service)) return [];
    return [
      {
        username: t.username,
        service,
        approvalsRequired: quorumValue(ctx.store, service),
        approvals: t.approvals,
        remainingSeconds: Math.max(0, Math.ceil((deadlineOf(t, timeouts) - now) / 1000)),
      },
    ];
  });
  return { tokens };
}
