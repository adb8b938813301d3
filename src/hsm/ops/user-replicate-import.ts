// user-replicate-import: the destination HSM creates a user from a seal that only a clone of its cluster can make.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { newUser } from '../provision.js';
import { cloneFamilyKey, openUser } from '../replicate-seal.js';
import { readSetting } from '../settings.js';
import { parseLoginRole, parseUsername, requireLogin } from '../rules.js';

export function userReplicateImport(
  ctx: OpContext,
  args: OpArgs<'user-replicate-import'>,
): OpResult<'user-replicate-import'> {
  const actor = requireLogin(ctx.session);
  const username = parseUsername(args.username);
  const role = parseLoginRole(args.role);
  const familyKey = cloneFamilyKey(ctx.store);
  const challenges = ctx.node.challenges;
  const challenge = challenges.take(args.challenge, ctx.session, 'user-replicate', ctx.node.clock.now());
  // One chance per challenge, whatever happens next: a refused seal cannot be retried against it.
  challenges.remove(challenge);
  const { pending } = challenge;
  if (
    actor.username !== pending.actor.username ||
    actor.role !== pending.actor.role ||
    challenge.username !== username ||
    pending.role !== role
  )
    throw new HsmError('ERR_TOKEN_UNKNOWN');
  // The client only carries the seal: a password hash or key it made up, or a seal from an unrelated
  // cluster, another destination, challenge, user or role, does not open.
  const user = openUser(familyKey, args.sealed, {
    destinationClusterId: ctx.node.clusterId,
    challenge: args.challenge,
    username,
    role,
  });
  if (!user || user.username !== username || user.role !== role) throw new HsmError('ERR_NOT_CLONES');
  ctx.store.transaction(() => {
    if (ctx.store.getUser(username)) throw new HsmError('ERR_USER_EXISTS', { username });
    const limit = readSetting(ctx.store, 'max_users');
    if (ctx.store.countUsers() >= limit) throw new HsmError('ERR_TOO_MANY_USERS', { limit });
    ctx.store.insertUser({
      ...newUser(username, role),
      passwordHash: user.passwordHash,
      locked: user.locked,
      mfaPublicKey: user.mfaPublicKey,
      quorumPublicKey: user.quorumPublicKey,
    });
  });
  return { username, role };
}
