// key-unshare: the owner removes a crypto user from a key's shared users.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireOwnedKey } from '../keys/key-rules.js';
import { parseUsername } from '../rules.js';
import type { OpContext } from '../op-context.js';

export function keyUnshare(ctx: OpContext, args: OpArgs<'key-unshare'>): OpResult<'key-unshare'> {
  ctx.store.transaction(() => {
    const key = requireOwnedKey(ctx, args.ref);
    const username = parseUsername(args.username);
    if (args.role !== 'crypto-user') throw new HsmError('ERR_KEY_SHARE_ROLE');
    if (!key.shared.includes(username)) throw new HsmError('ERR_KEY_NOT_SHARED', { username });
    if (key.manageQuorum > 1) throw new HsmError('ERR_KEY_QUORUM_FAILED');
    ctx.store.updateKey({ ...key, shared: key.shared.filter((u) => u !== username) });
  });
  return {};
}
