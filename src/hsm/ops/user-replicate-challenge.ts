// user-replicate-challenge: the destination HSM's single-use challenge that a source HSM seals a user to.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { mfaTokenSeconds } from '../challenge.js';
import type { OpContext } from '../op-context.js';
import { cloneFamilyKey } from '../replicate-seal.js';
import { parseLoginRole, parseUsername, requireLogin } from '../rules.js';

export function userReplicateChallenge(
  ctx: OpContext,
  args: OpArgs<'user-replicate-challenge'>,
): OpResult<'user-replicate-challenge'> {
  const actor = requireLogin(ctx.session);
  const username = parseUsername(args.username);
  const role = parseLoginRole(args.role);
  cloneFamilyKey(ctx.store);
  // Refused before the source is asked for anything: a replicate never overwrites a user.
  if (ctx.store.getUser(username)) throw new HsmError('ERR_USER_EXISTS', { username });
  const challenge = ctx.node.challenges.issue(
    ctx.session,
    'user-replicate',
    username,
    { actor, role },
    ctx.node.clock.now(),
    mfaTokenSeconds(ctx.store),
  );
  return { challenge: challenge.key };
}
