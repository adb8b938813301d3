// key-sync-copy: sealed copies of token keys this HSM holds, for the appliance user to carry to an HSM that lacks them.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { applianceMessage, requireAppliance } from '../keys/appliance.js';
import { sealCopy } from '../keys/copies.js';
import { requireMasking } from '../keys/key-rules.js';
import type { OpContext } from '../op-context.js';

export function keySyncCopy(ctx: OpContext, args: OpArgs<'key-sync-copy'>): OpResult<'key-sync-copy'> {
  const masking = requireMasking(ctx);
  requireAppliance(masking, applianceMessage('key-sync-copy', ctx.node.hsmId, args), args.proof);
  const copies: string[] = [];
  for (const ref of args.refs) {
    const key = ctx.store.getKey(ref);
    // A session key never leaves its HSM; a reference gone since the listing is simply not copied.
    if (key && key.sessionId === null) copies.push(sealCopy(masking, ctx.node.clusterId, key));
  }
  return { copies };
}
