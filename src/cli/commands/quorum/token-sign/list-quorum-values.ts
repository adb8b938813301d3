// quorum token-sign list-quorum-values: the quorum value of each admin service (no login needed).
import { readSettings } from '../../../../cluster/quorum.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

export const quorumTokenListQuorumValues = cliCommand({
  path: ['quorum', 'token-sign', 'list-quorum-values'],
  about: 'List current quorum values',
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    return readSettings(cluster, 'quorum-list-values', 'List quorum values', ctx.io.warn);
  },
});
