// key-sync-list: the appliance user asks which token keys this HSM holds and which it deleted (server-side sync).
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { applianceMessage, requireAppliance } from '../keys/appliance.js';
import { requireMasking } from '../keys/key-rules.js';
import type { OpContext } from '../op-context.js';

export function keySyncList(ctx: OpContext, args: OpArgs<'key-sync-list'>): OpResult<'key-sync-list'> {
  requireAppliance(requireMasking(ctx), applianceMessage('key-sync-list', ctx.node.hsmId, {}), args.proof);
  return ctx.store.keyInventory();
}
