// mtls-register-trust-anchor: an admin registers a CA certificate that client certificates may chain to.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import {
  addAnchor,
  findAnchor,
  parseAnchorCertificate,
  requireMtlsSupported,
  trustAnchors,
} from '../mtls.js';
import type { OpContext } from '../op-context.js';
import { requireQuorumApproval } from '../quorum/approval.js';

export function mtlsRegisterTrustAnchor(
  ctx: OpContext,
  args: OpArgs<'mtls-register-trust-anchor'>,
): OpResult<'mtls-register-trust-anchor'> {
  requireMtlsSupported(ctx.store);
  const cert = parseAnchorCertificate(args.certificate);
  const grant = requireQuorumApproval(ctx, 'cluster', args.approval);
  return ctx.store.transaction(() => {
    // A re-run after a partial failure: this HSM already has it (the client reports a duplicate when all do).
    const existing = findAnchor(trustAnchors(ctx.store), cert);
    const anchor = existing ?? addAnchor(ctx.store, cert);
    grant.commit();
    return existing ? { ...anchor, alreadyInEffect: true } : anchor;
  });
}
