// cluster mtls list-trust-anchors: the trust anchors of every HSM, merged (no login needed).
import { listTrustAnchors } from '../../../../cluster/mtls.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

export const clusterMtlsListTrustAnchorsCommand = cliCommand({
  path: ['cluster', 'mtls', 'list-trust-anchors'],
  about: 'List all trust anchors for mtls',
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    return { trust_anchors: await listTrustAnchors(cluster, ctx.io.warn) };
  },
});
