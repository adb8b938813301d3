// login-mfa-finish: checks the signature of this HSM's token with the user's registered MFA key
// (commit=false), then, once every HSM has, logs the session in (commit=true). A token gets one chance.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { parseTokenSignPublicKey, verifyTokenSignature } from '../../tokens/token-sign.js';
import type { OpContext } from '../op-context.js';
import { decodeWireSignature } from '../mfa-rules.js';
import { completeLogin } from './login.js';

export function loginMfaFinish(
  ctx: OpContext,
  args: OpArgs<'login-mfa-finish'>,
): OpResult<'login-mfa-finish'> {
  const challenges = ctx.node.challenges;
  const challenge = challenges.take(args.token, ctx.session, 'mfa-login', ctx.node.clock.now());
  const { role } = challenge.pending;
  ctx.auditTarget = challenge.username;
  try {
    const user = ctx.store.getUser(challenge.username);
    // The user may have been deleted, changed or stripped of MFA since the token was issued.
    if (!user || user.role !== role || !user.mfaPublicKey) throw new HsmError('ERR_LOGIN_FAILED');
    if (user.locked) throw new HsmError('ERR_USER_LOCKED', { username: user.username });
    const signature = decodeWireSignature(args.signature);
    const key = parseTokenSignPublicKey(user.mfaPublicKey);
    if (!verifyTokenSignature(key, challenge.token, signature)) {
      throw new HsmError('ERR_TOKEN_SIGNATURE_INVALID', { key: 'registered MFA' });
    }
    if (!args.commit) {
      challenge.state = 'verified';
      challenge.pending.verifiedKey = user.mfaPublicKey;
      return { username: user.username, role, committed: false };
    }
    if (challenge.state !== 'verified' || challenge.pending.verifiedKey !== user.mfaPublicKey) {
      throw new HsmError('ERR_TOKEN_NOT_VERIFIED');
    }
    challenges.remove(challenge);
    return { ...completeLogin(ctx, user, challenge.pending.checkedHash), committed: true };
  } catch (error) {
    challenges.remove(challenge);
    throw error;
  }
}
