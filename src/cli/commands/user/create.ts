// user create: an admin creates an admin or crypto user on every HSM.
import { displayName } from '../../../protocol/operations.js';
import { changeEverywhere } from '../../../cluster/operations.js';
import { HsmError } from '../../../errors.js';
import { approvalFrom, withApprovalHints } from '../../quorum.js';
import {
  APPROVAL_OPTION,
  CLUSTER_ID_OPTION,
  cliCommand,
  ROLE_OPTION,
  passwordFrom,
  usernameOption,
} from '../../context.js';

export const userCreateCommand = cliCommand({
  path: ['user', 'create'],
  about: 'Create a new user',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    usernameOption('Username to access the HSM'),
    { ...ROLE_OPTION, help: 'Role the user operates as' },
    {
      long: 'password',
      value: 'PASSWORD',
      help: "Optional: Plaintext user's password. If you do not include this argument you will be prompted for it",
    },
    APPROVAL_OPTION,
  ],
  async run(options, ctx) {
    const approval = approvalFrom(options);
    const password = await passwordFrom(options.string('password'), ctx.io, true);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const username = options.required('username');
    return withApprovalHints(ctx.io, () =>
      changeEverywhere(
        cluster,
        'user-create',
        { username, role: options.required('role'), password, ...(approval ? { approval } : {}) },
        displayName('user-create'),
        ctx.io.warn,
        new HsmError('ERR_USER_EXISTS', { username: username.toLowerCase() }),
      ),
    );
  },
});
