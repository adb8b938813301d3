// quorum-list: the live quorum tokens on this HSM (of every user), with approvals and time left; key tokens only
// to those who may know the key.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { TokenView } from '../../protocol/quorum.js';
import { isAdminService, isKeyService } from '../../protocol/quorum.js';
import { type KeyRecord, formatRef } from '../keys/record.js';
import type { OpContext } from '../op-context.js';
import { quorumValue, tokenTimeouts } from '../quorum/settings.js';
import { type QuorumToken, deadlineOf } from '../quorum/tokens.js';
import { requireLogin } from '../rules.js';

export function quorumList(ctx: OpContext, _args: OpArgs<'quorum-list'>): OpResult<'quorum-list'> {
  const viewer = requireLogin(ctx.session);
  // A key token names a key: shown to admins (who list every token key) and the key's associated users.
  return liveTokens(ctx, (key) =>
    viewer.role === 'admin'
      ? key.sessionId === null
      : key.owner === viewer.username || key.shared.includes(viewer.username),
  );
}

/** The live tokens, key tokens only where `mayShowKey` says the key may be named. */
export function liveTokens(ctx: OpContext, mayShowKey: (key: KeyRecord) => boolean): OpResult<'quorum-list'> {
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
    const key = ctx.store.getKey(t.keyRef);
    if (!key || !mayShowKey(key)) return [];
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
