// key-replicate-export: the source HSM seals one of its token keys to each destination HSM's challenge.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { keyDigest, sealKey } from '../keys/key-seal.js';
import { requireMasking, requireVisibleKey } from '../keys/key-rules.js';
import { keyView } from '../keys/view.js';
import type { OpContext } from '../op-context.js';
import { cloneFamilyKey } from '../replicate-seal.js';

export function keyReplicateExport(
  ctx: OpContext,
  args: OpArgs<'key-replicate-export'>,
): OpResult<'key-replicate-export'> {
  if (args.destinationClusterId === ctx.node.clusterId) throw new HsmError('ERR_REPLICATE_SAME_CLUSTER');
  const { key, viewer } = requireVisibleKey(ctx, args.ref);
  // Spec §11: crypto users must own the key; admins may replicate any token key (they see only those).
  if (viewer.role === 'crypto-user' && key.owner !== viewer.username) throw new HsmError('ERR_KEY_NOT_OWNER');
  // A session key lives on one HSM of one session: it is not on the cluster to replicate.
  if (key.sessionId !== null) throw new HsmError('ERR_KEY_NOT_SYNCHRONIZED');
  const familyKey = cloneFamilyKey(ctx.store);
  const masking = requireMasking(ctx);
  return {
    key: keyView(key, true),
    digest: keyDigest(familyKey, masking, key),
    sealed: args.challenges.map((challenge) =>
      sealKey(familyKey, key, { destinationClusterId: args.destinationClusterId, challenge, ref: key.ref }),
    ),
  };
}
