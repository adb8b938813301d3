// quorum token-sign list: the live quorum tokens of every user on the cluster, with approvals and time left.
import { listTokens } from '../../../../cluster/quorum.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

export const quorumTokenListCommand = cliCommand({
  path: ['quorum', 'token-sign', 'list'],
  about: 'List the token-sign tokens in your cluster',
  needsLogin: true,
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    return { tokens: await listTokens(ctx.session.cluster(options.string('cluster-id')), ctx.io.warn) };
  },
});
