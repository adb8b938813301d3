// Every localhsm command and the about text of its groups.
import type { CommandTree } from '../cli/tree.js';
import type { LocalCommand, LocalContext } from './context.js';
import { downCommand } from './commands/down.js';
import { hsmServeCommand } from './commands/hsm/serve.js';
import { resetCommand } from './commands/reset.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { quorumApproveCommand } from './commands/quorum/approve.js';
import { quorumMergeCommand } from './commands/quorum/merge.js';

export const LOCAL_COMMANDS: readonly LocalCommand[] = [
  upCommand,
  downCommand,
  statusCommand,
  resetCommand,
  startCommand,
  hsmServeCommand,
  quorumApproveCommand,
  quorumMergeCommand,
];

export const LOCAL_GROUPS: Readonly<Record<string, string>> = {
  hsm: 'Run and manage individual HSM nodes',
  quorum: 'Approve quorum tokens (sign approval files) and merge approvals',
};

export const localTree: CommandTree<LocalContext, number> = {
  name: 'localhsm',
  about: 'LocalHSM: a local cluster of software HSMs emulating the AWS CloudHSM user plane',
  commands: LOCAL_COMMANDS,
  groups: LOCAL_GROUPS,
};
