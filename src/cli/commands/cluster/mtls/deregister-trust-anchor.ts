// cluster mtls deregister-trust-anchor: an admin removes a trust anchor from every HSM by its certificate reference.
import { deregisterTrustAnchor } from '../../../../cluster/mtls.js';
import { formatAnchorReference, parseAnchorReference } from '../../../../protocol/mtls.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { approvalFrom, withApprovalHints } from '../../../quorum.js';

export const clusterMtlsDeregisterTrustAnchorCommand = cliCommand({
  path: ['cluster', 'mtls', 'deregister-trust-anchor'],
  about: 'Deregister a trust anchor for mtls',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    {
      long: 'certificate-reference',
      value: 'CERTIFICATE_REFERENCE',
      required: true,
      help: 'A hexadecimal or decimal certificate reference (as list-trust-anchors prints it, e.g. 0x01)',
    },
    APPROVAL_OPTION,
  ],
  examples: ['cluster mtls deregister-trust-anchor --certificate-reference 0x01'],
  async run(options, ctx) {
    const given = options.required('certificate-reference');
    const number = parseAnchorReference(given);
    const reference = number === undefined ? given : formatAnchorReference(number);
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    await withApprovalHints(ctx.io, () =>
      deregisterTrustAnchor(
        cluster,
        { reference, ...(approval ? { approval } : {}) },
        reference,
        ctx.io.warn,
      ),
    );
    return { message: `Trust anchor with reference ${reference} deregistered successfully` };
  },
});
