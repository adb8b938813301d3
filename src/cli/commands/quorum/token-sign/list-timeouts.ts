// quorum token-sign list-timeouts: the generated and approved token timeouts in seconds (no login needed).
import { displayName } from '../../../../protocol/operations.js';
import { readSettings } from '../../../../cluster/quorum.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

export const quorumTokenListTimeoutsCommand = cliCommand({
  path: ['quorum', 'token-sign', 'list-timeouts'],
  about: 'List timeout durations in seconds for token validity',
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    return readSettings(cluster, 'quorum-list-timeouts', displayName('quorum-list-timeouts'), ctx.io.warn);
  },
});
