// quorum-generate: this HSM's 80-byte record of a new quorum token, for an admin service or for one key's service.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { type AdminService, adminServicesOf, isKeyService } from '../../protocol/quorum.js';
import type { OpContext } from '../op-context.js';
import { requireVisibleKey } from '../keys/key-rules.js';
import { requireAdmin, requireLogin } from '../rules.js';
import { readSetting } from '../settings.js';
import type { Store } from '../store/store.js';

/**
 * An admin service this HSM's type has, else a clear refusal (key services have their own message until
 * keys exist; `cluster` is refused on hsm1.medium, which has no mTLS).
 */
export function parseAdminService(raw: string, store: Store): AdminService {
  const services = adminServicesOf(readSetting(store, 'hsm_type'));
  const found = services.find((s) => s === raw);
  if (found) return found;
  if (isKeyService(raw)) throw new HsmError('ERR_QUORUM_KEY_SERVICE', { service: raw });
  throw new HsmError('ERR_QUORUM_SERVICE', {
    service: raw.slice(0, 64),
    possible: services.join(', '),
  });
}

export function quorumGenerate(ctx: OpContext, args: OpArgs<'quorum-generate'>): OpResult<'quorum-generate'> {
  if (isKeyService(args.service)) {
    const service = args.service;
    const user = requireLogin(ctx.session);
    if (user.role !== 'crypto-user')
      throw new HsmError('ERR_PERMISSION_DENIED', {
        role: user.role,
        action: `generate quorum tokens for service ${service}`,
      });
    if (args.keyRef === undefined) throw new HsmError('ERR_QUORUM_KEY_FILTER', { service });
    // Requested by one of the key's associated users (owner or shared user); anyone else sees no key.
    const { key, viewer } = requireVisibleKey(ctx, args.keyRef);
    if (key.owner !== viewer.username && !key.shared.includes(viewer.username))
      throw new HsmError('ERR_KEY_SELECTION', { count: 0 });
    const token = ctx.node.quorumTokens.issue(ctx.session, service, key.ref);
    return { record: token.record.toString('base64') };
  }
  const service = parseAdminService(args.service, ctx.store);
  requireAdmin(ctx.session, `generate quorum tokens for service ${service}`);
  if (args.keyRef !== undefined) throw new HsmError('ERR_QUORUM_KEY_FILTER_UNEXPECTED', { service });
  const token = ctx.node.quorumTokens.issue(ctx.session, service);
  return { record: token.record.toString('base64') };
}
