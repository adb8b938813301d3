// mtls-set-enforcement: an admin sets whether new connections need a client certificate chaining to a trust anchor.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { MTLS_ENFORCEMENT_LEVELS, isMtlsEnforcementLevel } from '../../protocol/mtls.js';
import { anchorCertificates, chainsToAnchor, requireMtlsSupported, trustAnchors } from '../mtls.js';
import type { OpContext } from '../op-context.js';
import { requireQuorumApproval } from '../quorum/approval.js';
import { writeSetting } from '../settings.js';

export function mtlsSetEnforcement(
  ctx: OpContext,
  args: OpArgs<'mtls-set-enforcement'>,
): OpResult<'mtls-set-enforcement'> {
  requireMtlsSupported(ctx.store);
  const level = args.level;
  if (!isMtlsEnforcementLevel(level))
    throw new HsmError('ERR_MTLS_LEVEL', {
      level: level.slice(0, 32),
      possible: MTLS_ENFORCEMENT_LEVELS.join(', '),
    });
  if (level === 'cluster') {
    const anchors = trustAnchors(ctx.store);
    if (anchors.length === 0) throw new HsmError('ERR_MTLS_NO_ANCHOR');
    // The admin who turns enforcement on must already connect the way every client then will (the guide's
    // order: register the anchor, configure the CLI's client certificate, then set enforcement).
    if (!chainsToAnchor(ctx.session.clientChain, anchorCertificates(anchors), Date.now()))
      throw new HsmError('ERR_MTLS_NOT_MTLS_SESSION');
  }
  const grant = requireQuorumApproval(ctx, 'cluster', args.approval);
  ctx.store.transaction(() => {
    writeSetting(ctx.store, 'mtls_enforcement', level);
    grant.commit();
  });
  return { level };
}
