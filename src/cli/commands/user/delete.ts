// user delete: an admin deletes a user from every HSM.
import { displayName } from '../../../protocol/operations.js';
import { changeEverywhere } from '../../../cluster/operations.js';
import { HsmError } from '../../../errors.js';
import { ALLOW_UNMANAGEABLE_OPTION, approvalFrom, withApprovalHints } from '../../quorum.js';
import {
  APPROVAL_OPTION,
  CLUSTER_ID_OPTION,
  cliCommand,
  ROLE_OPTION,
  usernameOption,
} from '../../context.js';

export const userDeleteCommand = cliCommand({
  path: ['user', 'delete'],
  about: 'Delete a user',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    usernameOption('Username of the user to delete'),
    { ...ROLE_OPTION, help: 'Role of the user to delete' },
    APPROVAL_OPTION,
    ALLOW_UNMANAGEABLE_OPTION,
  ],
  async run(options, ctx) {
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const username = options.required('username');
    const args = {
      username,
      role: options.required('role'),
      ...(approval ? { approval } : {}),
      ...(options.flag('allow-unmanageable') ? { allowUnmanageable: true } : {}),
    };
    return withApprovalHints(ctx.io, () =>
      changeEverywhere(
        cluster,
        'user-delete',
        args,
        displayName('user-delete'),
        ctx.io.warn,
        new HsmError('ERR_USER_NOT_FOUND', { username: username.toLowerCase() }),
      ),
    );
  },
});
