// cluster mtls register-trust-anchor: an admin registers a CA certificate for client certificates on every HSM (hsm2m).
import { registerTrustAnchor } from '../../../../cluster/mtls.js';
import { readTextFile } from '../../../../files/read-input.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { approvalFrom, withApprovalHints } from '../../../quorum.js';

export const clusterMtlsRegisterTrustAnchorCommand = cliCommand({
  path: ['cluster', 'mtls', 'register-trust-anchor'],
  about: 'Register a trust anchor for mtls',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    {
      long: 'path',
      value: 'PATH',
      required: true,
      help: 'Filepath of the trust anchor certificate (PEM; an EC P-256/P-384/P-521 or RSA 2048/3072/4096 key)',
    },
    APPROVAL_OPTION,
  ],
  examples: ['cluster mtls register-trust-anchor --path /home/rootCA'],
  async run(options, ctx) {
    const certificate = readTextFile(options.required('path'));
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const trust_anchor = await withApprovalHints(ctx.io, () =>
      registerTrustAnchor(cluster, { certificate, ...(approval ? { approval } : {}) }, ctx.io.warn),
    );
    return { trust_anchor };
  },
});
