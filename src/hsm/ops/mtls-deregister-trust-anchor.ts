// mtls-deregister-trust-anchor: an admin removes a trust anchor; never the last one while enforcement is on.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { formatAnchorReference, parseAnchorReference } from '../../protocol/mtls.js';
import { enforcementLevel, requireMtlsSupported, trustAnchors } from '../mtls.js';
import type { OpContext } from '../op-context.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import { writeSetting } from '../settings.js';

export function mtlsDeregisterTrustAnchor(
  ctx: OpContext,
  args: OpArgs<'mtls-deregister-trust-anchor'>,
): OpResult<'mtls-deregister-trust-anchor'> {
  requireMtlsSupported(ctx.store);
  const number = parseAnchorReference(args.reference);
  const reference = number === undefined ? args.reference.slice(0, 32) : formatAnchorReference(number);
  if (number === undefined || number < 1 || number > 255)
    throw new HsmError('ERR_MTLS_ANCHOR_NOT_FOUND', { reference });
  const grant = requireQuorumApproval(ctx, 'cluster', args.approval);
  return ctx.store.transaction(() => {
    const anchors = trustAnchors(ctx.store);
    if (!anchors.some((a) => a.reference === reference)) {
      // A re-run after a partial failure: gone here already (the client reports it when gone everywhere).
      grant.commit();
      return { alreadyInEffect: true };
    }
    // Enforcement with no anchor would refuse every client, the admin included: the cluster could not be reached.
    if (anchors.length === 1 && enforcementLevel(ctx.store) === 'cluster')
      throw new HsmError('ERR_MTLS_LAST_ANCHOR', { reference });
    writeSetting(
      ctx.store,
      'mtls_trust_anchors',
      anchors.filter((a) => a.reference !== reference),
    );
    grant.commit();
    return {};
  });
}
