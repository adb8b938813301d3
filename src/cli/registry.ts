// Every cloudhsm-cli command, and the about text of each command group.
import type { CommandTree } from '../command/tree.js';
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
import { quorumTokenDelete } from './commands/quorum/token-sign/delete.js';
import { quorumTokenGenerate } from './commands/quorum/token-sign/generate.js';
import { quorumTokenListPolicy } from './commands/quorum/token-sign/list-policy.js';
import { quorumTokenListQuorumValues } from './commands/quorum/token-sign/list-quorum-values.js';
import { quorumTokenListTimeouts } from './commands/quorum/token-sign/list-timeouts.js';
import { quorumTokenList } from './commands/quorum/token-sign/list.js';
import { quorumTokenSetPolicy } from './commands/quorum/token-sign/set-policy.js';
import { quorumTokenSetQuorumValue } from './commands/quorum/token-sign/set-quorum-value.js';
import { quorumTokenSetTimeout } from './commands/quorum/token-sign/set-timeout.js';
import { userChangeQuorumTokenSignRegister } from './commands/user/change-quorum/token-sign/register.js';

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
  quorumTokenGenerate,
  quorumTokenList,
  quorumTokenListQuorumValues,
  quorumTokenSetQuorumValue,
  quorumTokenListTimeouts,
  quorumTokenSetTimeout,
  quorumTokenDelete,
  quorumTokenListPolicy,
  quorumTokenSetPolicy,
  userChangeQuorumTokenSignRegister,
];

export const GROUPS: Readonly<Record<string, string>> = {
  cluster: 'Cluster related commands',
  user: 'User management',
  'user change-mfa': "Change a user's Mfa Strategy",
  quorum: 'Quorum authentication (M of N) commands',
  'quorum token-sign': 'Quorum commands using the token-sign strategy',
  'user change-quorum': "Change a user's quorum authentication",
  'user change-quorum token-sign': "Change a user's quorum authentication using the token-sign strategy",
};

export function cliTree(name: string): CommandTree<CliContext, unknown> {
  return {
    name,
    about: 'CloudHSM CLI (LocalHSM emulation)',
    commands: COMMANDS,
    groups: GROUPS,
  };
}
