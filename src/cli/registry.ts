// Every cloudhsm-cli command, and the about text of each command group.
import type { CommandTree } from './tree.js';
import type { CliCommand, CliContext } from './context.js';
import { clusterActivate } from './commands/cluster/activate.js';
import { clusterHsmInfo } from './commands/cluster/hsm-info.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { userChangePassword } from './commands/user/change-password.js';
import { userCreate } from './commands/user/create.js';
import { userDelete } from './commands/user/delete.js';
import { userList } from './commands/user/list.js';
import { loginMfaTokenSign } from './commands/login/mfa-token-sign.js';
import { userChangeMfaTokenSign } from './commands/user/change-mfa/token-sign.js';

export const COMMANDS: readonly CliCommand[] = [
  clusterActivate,
  clusterHsmInfo,
  loginCommand,
  logoutCommand,
  userChangePassword,
  userCreate,
  userDelete,
  userList,
  loginMfaTokenSign,
  userChangeMfaTokenSign,
];

export const GROUPS: Readonly<Record<string, string>> = {
  cluster: 'Cluster related commands',
  user: 'User management',
  'user change-mfa': "Change a user's Mfa Strategy",
};

export function cliTree(name: string): CommandTree<CliContext, unknown> {
  return {
    name,
    about: 'CloudHSM CLI (LocalHSM emulation)',
    commands: COMMANDS,
    groups: GROUPS,
  };
}
