// key-share: the owner shares a key with another crypto user (appended to its shared users, in order).
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireOwnedKey } from '../keys/key-rules.js';
import { shareTarget } from '../keys/users.js';
import type { OpContext } from '../op-context.js';
import { requireKeyQuorumApproval } from '../quorum/approval.js';

export function keyShare(ctx: OpContext, args: OpArgs<'key-share'>): OpResult<'key-share'> {
  ctx.store.transaction(() => {
    const key = requireOwnedKey(ctx, args.ref);
    if (args.role !== 'crypto-user') throw new HsmError('ERR_KEY_SHARE_ROLE');
    const username = shareTarget(ctx.store, key.owner, args.username);
    if (key.shared.includes(username)) throw new HsmError('ERR_KEY_ALREADY_SHARED', { username });
    const grant = requireKeyQuorumApproval(ctx, key, 'key-management', args.approval);
    ctx.store.updateKey({ ...key, shared: [...key.shared, username] });
    grant.commit();
  });
  return {};
}
