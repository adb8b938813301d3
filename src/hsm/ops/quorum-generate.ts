// quorum-generate: an admin gets this HSM's 80-byte record of a new quorum token for an admin service.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { ADMIN_SERVICES, type AdminService, isAdminService, isKeyService } from '../../protocol/quorum.js';
import type { OpContext } from '../op-context.js';
import { requireAdmin } from '../rules.js';

/** An admin service name, else a clear refusal (key services have their own message until keys exist). */
export function parseAdminService(raw: string): AdminService {
  if (isAdminService(raw)) return raw;
  if (isKeyService(raw)) throw new HsmError('ERR_QUORUM_KEY_SERVICE', { service: raw });
  throw new HsmError('ERR_QUORUM_SERVICE', {
    service: raw.slice(0, 64),
    possible: ADMIN_SERVICES.join(', '),
  });
}

export function quorumGenerate(ctx: OpContext, args: OpArgs<'quorum-generate'>): OpResult<'quorum-generate'> {
  const service = parseAdminService(args.service);
  requireAdmin(ctx.session, `generate quorum tokens for service ${service}`);
  const token = ctx.node.quorumTokens.issue(ctx.session, service);
  return { record: token.record.toString('base64') };
}
