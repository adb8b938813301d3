// quorum-generate: an admin gets this HSM's 80-byte record of a new quorum token for an admin service.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { type AdminService, adminServicesOf, isKeyService } from '../../protocol/quorum.js';
import type { OpContext } from '../op-context.js';
import { requireAdmin } from '../rules.js';
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
  const service = parseAdminService(args.service, ctx.store);
  requireAdmin(ctx.session, `generate quorum tokens for service ${service}`);
  const token = ctx.node.quorumTokens.issue(ctx.session, service);
  return { record: token.record.toString('base64') };
}
