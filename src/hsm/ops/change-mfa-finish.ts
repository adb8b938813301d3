// change-mfa-finish: proof of possession of the new key (its signature of this HSM's token, commit=false),
// then, once every HSM has verified, registration of the key and the new password (commit=true).
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { parseTokenSignPublicKey, toSpkiPem, verifyTokenSignature } from '../../tokens/token-sign.js';
import { decodeWireSignature } from '../mfa-rules.js';
import type { OpContext } from '../op-context.js';
import { requireLogin, requireUserWithRole } from '../rules.js';

export function changeMfaFinish(
  ctx: OpContext,
  args: OpArgs<'change-mfa-finish'>,
): OpResult<'change-mfa-finish'> {
  const actor = requireLogin(ctx.session);
  const challenges = ctx.node.challenges;
  const challenge = challenges.take(args.token, ctx.session, 'change-mfa', ctx.node.clock.now());
  const { pending, username } = challenge;
  ctx.auditTarget = challenge.username;
  try {
    // The token belongs to the login that asked for it, not to whoever holds the connection later.
    if (actor.username !== pending.actor.username || actor.role !== pending.actor.role)
      throw new HsmError('ERR_TOKEN_UNKNOWN');
    const signature = decodeWireSignature(args.signature);
    const key = parseTokenSignPublicKey(args.publicKey);
    const pem = toSpkiPem(key);
    if (!verifyTokenSignature(key, challenge.token, signature))
      throw new HsmError('ERR_TOKEN_SIGNATURE_INVALID', { key: 'new' });
    const checkTarget = () => {
      const user = requireUserWithRole(ctx.store, username, pending.role);
      if (ctx.node.sessions.isLoggedIn(username, ctx.session)) {
        throw new HsmError('ERR_USER_LOGGED_IN', { action: 'change the MFA of', username });
      }
      return user;
    };
    // Checked when verifying too, so that a commit is refused on no HSM for a reason known in advance.
    checkTarget();
    if (!args.commit) {
      challenge.state = 'verified';
      pending.verifiedKey = pem;
      return { username, role: pending.role, committed: false };
    }
    if (challenge.state !== 'verified' || pending.verifiedKey !== pem)
      throw new HsmError('ERR_TOKEN_NOT_VERIFIED');
    ctx.store.transaction(() => {
      const user = checkTarget();
      ctx.store.updateUser({
        ...user,
        passwordHash: pending.passwordHash,
        mfaPublicKey: pem,
        // Spec §4.5: the MFA key doubles as the quorum key unless the user already has one to keep.
        quorumPublicKey: user.quorumPublicKey === null || pending.changeQuorum ? pem : user.quorumPublicKey,
      });
      pending.grant?.commit();
    });
    challenges.remove(challenge);
    return { username, role: pending.role, committed: true };
  } catch (error) {
    challenges.remove(challenge);
    throw error;
  }
}
