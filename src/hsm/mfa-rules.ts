// Checks shared by the MFA operations: who may change whose MFA, and signatures as they arrive on the wire.
import { HsmError } from '../errors.js';
import { OPERATIONS } from '../protocol/operations.js';
import type { LoginRole } from '../protocol/types.js';
import { REQUIRED_MODULUS_BITS, decodeBase64Strict } from '../tokens/token-sign.js';
import { checkAccess } from './access.js';
import type { OpContext } from './op-context.js';
import { parseLoginRole, parseUsername, requireLogin, requireUserWithRole } from './rules.js';
import type { SessionUser } from './session.js';
import type { UserRecord } from './store/store.js';

export interface MfaChangeTarget {
  actor: SessionUser;
  username: string;
  role: LoginRole;
  user: UserRecord;
}

/**
 * Any user may change their own MFA, an admin anyone's; the role must match, the built-in app_user
 * is refused, and the target must not be logged in on another session (as for change-password).
 */
export function authorizeMfaChange(
  ctx: OpContext,
  args: { username: string; role: string },
): MfaChangeTarget {
  // Checked again by the operations after their slow hash: the session may have changed meanwhile.
  checkAccess(OPERATIONS['change-mfa-start'].access, ctx.session, args);
  const actor = requireLogin(ctx.session);
  const username = parseUsername(args.username);
  const role = parseLoginRole(args.role);
  const user = requireUserWithRole(ctx.store, username, role);
  if (ctx.node.sessions.isLoggedIn(username, ctx.session)) {
    throw new HsmError('ERR_USER_LOGGED_IN', { action: 'change the MFA of', username });
  }
  return { actor, username, role, user };
}

/** A signature as sent by the client: strict base64 of exactly one RSA-2048 block. */
export function decodeWireSignature(text: string): Buffer {
  const bytes = REQUIRED_MODULUS_BITS / 8;
  const signature = decodeBase64Strict(text);
  if (!signature || signature.length !== bytes) throw new HsmError('ERR_SIGNATURE_FORMAT', { bytes });
  return signature;
}
