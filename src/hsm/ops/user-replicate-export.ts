// user-replicate-export: the source HSM seals one of its users to each destination HSM's challenge.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { cloneFamilyKey, replicatedUser, sealUser, userDigest } from '../replicate-seal.js';
import { parseLoginRole, parseUsername, requireUserWithRole } from '../rules.js';

export function userReplicateExport(
  ctx: OpContext,
  args: OpArgs<'user-replicate-export'>,
): OpResult<'user-replicate-export'> {
  const username = parseUsername(args.username);
  const role = parseLoginRole(args.role);
  if (args.destinationClusterId === ctx.node.clusterId) throw new HsmError('ERR_REPLICATE_SAME_CLUSTER');
  const familyKey = cloneFamilyKey(ctx.store);
  const user = replicatedUser(requireUserWithRole(ctx.store, username, role), role);
  return {
    user: {
      username,
      role,
      locked: user.locked,
      mfa: user.mfaPublicKey !== null,
      quorum: user.quorumPublicKey !== null,
    },
    digest: userDigest(familyKey, user),
    sealed: args.challenges.map((challenge) =>
      sealUser(familyKey, user, {
        destinationClusterId: args.destinationClusterId,
        challenge,
        username,
        role,
      }),
    ),
  };
}
