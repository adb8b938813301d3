// key unshare: the owner unshares a key with a crypto user on every HSM.
import { changeKey, resolveKey } from '../../../cluster/keys.js';
import {
  APPROVAL_OPTION,
  CLUSTER_ID_OPTION,
  cliCommand,
  ROLE_OPTION,
  usernameOption,
} from '../../context.js';
import { KEY_FILTER_HELP, filterOption } from '../../keys.js';
import { approvalFrom, withApprovalHints } from '../../quorum.js';

export const keyUnshareCommand = cliCommand({
  path: ['key', 'unshare'],
  about: 'Unshare a key in the HSM cluster with another user',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    filterOption('filter', 'FILTER', KEY_FILTER_HELP),
    usernameOption('A username with which the key will be unshared'),
    { ...ROLE_OPTION, help: 'Role the user has in the cluster' },
    {
      ...APPROVAL_OPTION,
      help: 'Filepath of signed quorum token file to approve operation. Only required if the key management service quorum value of the key is greater than 1',
    },
  ],
  async run(options, ctx) {
    // The approval file is read and checked before anything is sent.
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const key = await resolveKey(cluster, options.list('filter'), ctx.io.warn);
    const args = {
      ref: key.ref,
      username: options.required('username'),
      role: options.required('role'),
      ...(approval ? { approval } : {}),
    };
    await withApprovalHints(ctx.io, () => changeKey(cluster, key, 'key-unshare', args, ctx.io.warn));
    return { message: 'Key unshared successfully' };
  },
});
