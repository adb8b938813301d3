// cluster activate: sets the initial admin password on every HSM of a new cluster.
import { displayName } from '../../../protocol/operations.js';
import { HsmError } from '../../../errors.js';
import { changeEverywhere } from '../../../cluster/operations.js';
import { CLUSTER_ID_OPTION, cliCommand, passwordFrom } from '../../context.js';

export const clusterActivateCommand = cliCommand({
  path: ['cluster', 'activate'],
  about: 'Activate a cluster',
  options: [
    CLUSTER_ID_OPTION,
    {
      long: 'password',
      value: 'PASSWORD',
      help: 'Optional: Plaintext activation password. If you do not include this argument, you will be prompted for it',
    },
  ],
  async run(options, ctx) {
    const password = await passwordFrom(options.string('password'), ctx.io, true);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    await changeEverywhere(
      cluster,
      'cluster-activate',
      { password },
      displayName('cluster-activate'),
      ctx.io.warn,
      new HsmError('ERR_CLUSTER_ALREADY_ACTIVE'),
    );
    return 'Cluster activation successful';
  },
});
