// Who may do what with a key, on the node (spec §2.3): owners manage, shared users use, public keys are for every CU.
import { HsmError } from '../../errors.js';
import type { OpContext } from '../op-context.js';
import { requireLogin } from '../rules.js';
import { type KeyViewer, isVisible } from './filter.js';
import type { Masking } from './masking.js';
import { type KeyRecord, formatRef, parseRef } from './record.js';

export function keyViewer(ctx: OpContext): KeyViewer {
  const user = requireLogin(ctx.session);
  return { username: user.username, role: user.role, sessionId: ctx.session.id };
}

/**
 * The key with this reference, if the caller may see it. A key the caller may not see is reported as
 * matching nothing, so nobody learns that a private or secret key of someone else exists.
 */
export function requireVisibleKey(ctx: OpContext, rawRef: string): { key: KeyRecord; viewer: KeyViewer } {
  const viewer = keyViewer(ctx);
  const ref = parseRef(rawRef);
  const key = ref === undefined || ref < 0 ? undefined : ctx.store.getKey(ref);
  if (!key || !isVisible(key, viewer)) throw new HsmError('ERR_KEY_SELECTION', { count: 0 });
  ctx.auditTarget = formatRef(key.ref);
  return { key, viewer };
}

/** Delete, share, unshare, set-attribute, export: the owner only. */
export function requireOwnedKey(ctx: OpContext, rawRef: string): KeyRecord {
  const { key, viewer } = requireVisibleKey(ctx, rawRef);
  if (key.owner !== viewer.username) throw new HsmError('ERR_KEY_NOT_OWNER');
  return key;
}

/** Sign (and later wrap/unwrap with): the owner or a user the key is shared with. */
export function requireUsableKey(ctx: OpContext, rawRef: string): KeyRecord {
  const { key, viewer } = requireVisibleKey(ctx, rawRef);
  if (key.owner !== viewer.username && !key.shared.includes(viewer.username) && key.keyClass !== 'public-key')
    throw new HsmError('ERR_KEY_SELECTION', { count: 0 });
  return key;
}

export function requireAttribute(key: KeyRecord, name: string): void {
  if (key.attributes[name] !== true) throw new HsmError('ERR_KEY_ATTRIBUTE_REQUIRED', { name });
}

export function requireMasking(ctx: OpContext): Masking {
  const masking = ctx.node.masking;
  if (!masking) throw new HsmError('ERR_KEY_MASKING', { file: 'masking.key' });
  return masking;
}
