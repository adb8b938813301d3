// key share / key unshare: one declaration for both (they differ only in the verb): the owner changes a key's
// shared users on every HSM.
import { changeKey, resolveKey } from '../cluster/keys.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, cliCommand, ROLE_OPTION, usernameOption } from './context.js';
import { KEY_FILTER_HELP, filterOption } from './keys.js';
import { approvalFrom, withApprovalHints } from './quorum.js';

export function keySharingCommand(verb: 'share' | 'unshare') {
  const op = verb === 'share' ? 'key-share' : 'key-unshare';
  const Verb = verb[0]!.toUpperCase() + verb.slice(1);
  return cliCommand({
    path: ['key', verb],
    about: `${Verb} a key in the HSM cluster with another user`,
    needsLogin: true,
    options: [
      CLUSTER_ID_OPTION,
      filterOption('filter', 'FILTER', KEY_FILTER_HELP),
      usernameOption(`A username with which the key will be ${verb}d`),
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
      await withApprovalHints(ctx.io, () => changeKey(cluster, key, op, args, ctx.io.warn));
      return { message: `Key ${verb}d successfully` };
    },
  });
}
