// key-delete: the owner deletes one key (the other half of a pair stays).
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireOwnedKey } from '../keys/key-rules.js';
import type { OpContext } from '../op-context.js';

export function keyDelete(ctx: OpContext, args: OpArgs<'key-delete'>): OpResult<'key-delete'> {
  ctx.store.transaction(() => {
    const key = requireOwnedKey(ctx, args.ref);
    if (key.attributes.destroyable === false)
      throw new HsmError('ERR_KEY_ATTRIBUTE_REQUIRED', { name: 'destroyable' });
    // A deleted token key is remembered, so server-side sync deletes it on an HSM that missed the delete.
    if (key.sessionId === null) ctx.store.tombstoneKey(key.ref);
    else ctx.store.deleteKey(key.ref);
  });
  return {};
}
