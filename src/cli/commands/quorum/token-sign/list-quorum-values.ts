// quorum token-sign list-quorum-values: the quorum value of each admin service (no login needed).
import { displayName } from '../../../../protocol/operations.js';
import { readSettings } from '../../../../cluster/quorum.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

export const quorumTokenListQuorumValuesCommand = cliCommand({
  path: ['quorum', 'token-sign', 'list-quorum-values'],
  about: 'List current quorum values',
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    return readSettings(cluster, 'quorum-list-values', displayName('quorum-list-values'), ctx.io.warn);
  },
});
