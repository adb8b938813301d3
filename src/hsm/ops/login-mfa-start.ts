// login-mfa-start: the password step of an MFA login; returns this HSM's token for the session to sign.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import type { LoginRole } from '../../protocol/types.js';
import { mfaTokenSeconds } from '../challenge.js';
import type { OpContext } from '../op-context.js';
import { authenticatePassword } from './login.js';

export async function loginMfaStart(
  ctx: OpContext,
  args: OpArgs<'login-mfa-start'>,
): Promise<OpResult<'login-mfa-start'>> {
  const user = await authenticatePassword(ctx, args);
  if (!user.mfaPublicKey)
    throw new HsmError('ERR_MFA_NOT_ENABLED', { username: user.username, role: user.role });
  const role = user.role as LoginRole;
  const now = ctx.node.clock.now();
  const challenge = ctx.node.challenges.issue(
    ctx.session,
    'mfa-login',
    user.username,
    { role, checkedHash: user.passwordHash },
    now,
    mfaTokenSeconds(ctx.store),
  );
  return { token: challenge.key };
}
