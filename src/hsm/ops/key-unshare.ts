// key-unshare: the owner removes a crypto user from a key's shared users.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireOwnedKey } from '../keys/key-rules.js';
import { parseUsername } from '../rules.js';
import type { OpContext } from '../op-context.js';
import { requireKeyQuorumApproval } from '../quorum/approval.js';

export function keyUnshare(ctx: OpContext, args: OpArgs<'key-unshare'>): OpResult<'key-unshare'> {
  ctx.store.transaction(() => {
    const key = requireOwnedKey(ctx, args.ref);
    const username = parseUsername(args.username);
    if (args.role !== 'crypto-user') throw new HsmError('ERR_KEY_SHARE_ROLE');
    if (!key.shared.includes(username)) throw new HsmError('ERR_KEY_NOT_SHARED', { username });
    // The quorum values are bounded by the owner and shared users (spec §16.2: the same text as at creation).
    if (key.shared.length < Math.max(key.manageQuorum, key.useQuorum))
      throw new HsmError('ERR_KEY_QUORUM_INVALID');
    const grant = requireKeyQuorumApproval(ctx, key, 'key-management', args.approval);
    ctx.store.updateKey({ ...key, shared: key.shared.filter((u) => u !== username) });
    grant.commit();
  });
  return {};
}
