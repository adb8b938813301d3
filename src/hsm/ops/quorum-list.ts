// quorum-list: the live quorum tokens on this HSM (of every user), with approvals and time left; key tokens only
// to those who may know the key.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { TokenView } from '../../protocol/quorum.js';
import { isAdminService, isKeyService } from '../../protocol/quorum.js';
import { formatRef } from '../keys/record.js';
import type { OpContext } from '../op-context.js';
import { quorumValue, tokenTimeouts } from '../quorum/settings.js';
import { type QuorumToken, deadlineOf } from '../quorum/tokens.js';
import { requireLogin } from '../rules.js';

export function quorumList(ctx: OpContext, _args: OpArgs<'quorum-list'>): OpResult<'quorum-list'> {
  const viewer = requireLogin(ctx.session);
  const now = ctx.node.clock.now();
  const timeouts = tokenTimeouts(ctx.store);
  const remainingSeconds = (t: QuorumToken) => Math.max(0, Math.ceil((deadlineOf(t, timeouts) - now) / 1000));
  const tokens = ctx.node.quorumTokens.live().flatMap((t): TokenView[] => {
    const service = t.service;
    if (isAdminService(service)) {
      return [
        {
          username: t.username,
          service,
          approvalsRequired: quorumValue(ctx.store, service),
          approvals: t.approvals,
          remainingSeconds: remainingSeconds(t),
        },
      ];
    }
    if (!isKeyService(service) || t.keyRef === undefined) return [];
    // A key token names a key: shown to admins (who list every token key) and the key's associated users.
    const key = ctx.store.getKey(t.keyRef);
    if (!key) return [];
    const associated = key.owner === viewer.username || key.shared.includes(viewer.username);
    if (viewer.role === 'admin' ? key.sessionId !== null : !associated) return [];
    return [
      {
        username: t.username,
        service,
        keyRef: formatRef(key.ref),
        approvalsRequired: service === 'key-management' ? key.manageQuorum : key.useQuorum,
        approvals: t.approvals,
        remainingSeconds: remainingSeconds(t),
      },
    ];
  });
  return { tokens };
}
