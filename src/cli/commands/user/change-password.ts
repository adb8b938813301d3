// user change-password: a user changes their own password, or an admin anyone's (which also unlocks).
import { displayName } from '../../../protocol/operations.js';
import { changeEverywhere } from '../../../cluster/operations.js';
import { BOOLEAN_VALUES } from '../../../command/spec.js';
import { ALLOW_UNMANAGEABLE_OPTION, approvalFrom, withApprovalHints } from '../../quorum.js';
import { checkBeforeSecrets } from '../../preconditions.js';
import {
  APPROVAL_OPTION,
  CLUSTER_ID_OPTION,
  cliCommand,
  ROLE_OPTION,
  passwordFrom,
  usernameOption,
} from '../../context.js';

export const userChangePasswordCommand = cliCommand({
  path: ['user', 'change-password'],
  about: "Change a user's password",
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    usernameOption('Username of the user that will be modified'),
    ROLE_OPTION,
    {
      long: 'password',
      value: 'PASSWORD',
      help: "Optional: Plaintext user's password. If you do not include this argument you will be prompted for it",
    },
    APPROVAL_OPTION,
    // Documented as `--deregister-mfa <DEREGISTER-MFA>` and used bare in the guide's examples: both work.
    {
      long: 'deregister-mfa',
      value: 'DEREGISTER-MFA',
      optionalValue: true,
      possible: BOOLEAN_VALUES,
      help: "Deregister the user's mfa public key, if present",
    },
    {
      long: 'deregister-quorum',
      value: 'DEREGISTER-QUORUM',
      optionalValue: true,
      possible: BOOLEAN_VALUES,
      help: "Deregister the user's quorum public key, if present",
    },
    ALLOW_UNMANAGEABLE_OPTION,
  ],
  async run(options, ctx) {
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const target = { username: options.required('username'), role: options.required('role') };
    await checkBeforeSecrets(cluster, ctx.io, {
      op: 'user-change-password',
      target,
      userQuorum: 'other-user',
      approval,
      targetMustExist: true,
    });
    const password = await passwordFrom(options.string('password'), ctx.io, true);
    return withApprovalHints(ctx.io, () =>
      changeEverywhere(
        cluster,
        'user-change-password',
        {
          ...target,
          password,
          deregisterMfa: options.flag('deregister-mfa'),
          deregisterQuorum: options.flag('deregister-quorum'),
          ...(approval ? { approval } : {}),
          ...(options.flag('allow-unmanageable') ? { allowUnmanageable: true } : {}),
        },
        displayName('user-change-password'),
        ctx.io.warn,
      ),
    );
  },
});
