// quorum token-sign delete: deletes the logged-in user's tokens (scope user) or every token (scope all) on every HSM.
import { changeSettingEverywhere } from '../../../../cluster/quorum.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

export const quorumTokenDeleteCommand = cliCommand({
  path: ['quorum', 'token-sign', 'delete'],
  about: 'Delete one or more Quorum Tokens',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    {
      long: 'scope',
      value: 'SCOPE',
      required: true,
      help: 'Scope of which token(s) will be deleted',
      possible: [
        { value: 'user', help: 'Deletes all token(s) of currently logged in user' },
        { value: 'all', help: 'Deletes all token(s) on the HSM' },
      ],
    },
  ],
  async run(options, ctx) {
    const scope = options.required('scope') as 'user' | 'all';
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    await changeSettingEverywhere(cluster, 'quorum-delete', { scope }, 'Delete quorum tokens', ctx.io.warn);
    return 'Deletion of quorum token(s) successful';
  },
});
