// Every localhsm command and the about text of its groups.
import type { CommandTree } from '../command/tree.js';
import type { LocalCommand, LocalContext } from './context.js';
import { auditCheckpointCommand } from './commands/audit/checkpoint.js';
import { auditTailCommand } from './commands/audit/tail.js';
import { auditVerifyCommand } from './commands/audit/verify.js';
import { backupCreateCommand } from './commands/backup/create.js';
import { backupKeyExportCommand } from './commands/backup/key/export.js';
import { backupRestoreCommand } from './commands/backup/restore.js';
import { consoleCommand } from './commands/console.js';
import { downCommand } from './commands/down.js';
import { hsmAddCommand } from './commands/hsm/add.js';
import { hsmRemoveCommand } from './commands/hsm/remove.js';
import { hsmServeCommand } from './commands/hsm/serve.js';
import { hsmStartCommand } from './commands/hsm/start.js';
import { hsmStopCommand } from './commands/hsm/stop.js';
import { installPathsCommand } from './commands/install-paths.js';
import { resetCommand } from './commands/reset.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { uninstallPathsCommand } from './commands/uninstall-paths.js';
import { upCommand } from './commands/up.js';
import { tokenSignCommand } from './commands/token/sign.js';
import { tokenVerifyCommand } from './commands/token/verify.js';
import { timeAdvanceCommand } from './commands/time/advance.js';
import { timeResetCommand } from './commands/time/reset.js';
import { timeShowCommand } from './commands/time/show.js';
import { tokenPubkeyCommand } from './commands/token/pubkey.js';
import { quorumApproveCommand } from './commands/quorum/approve.js';
import { quorumMergeCommand } from './commands/quorum/merge.js';

export const LOCAL_COMMANDS: readonly LocalCommand[] = [
  upCommand,
  downCommand,
  statusCommand,
  resetCommand,
  startCommand,
  hsmServeCommand,
  hsmStopCommand,
  hsmStartCommand,
  hsmAddCommand,
  hsmRemoveCommand,
  auditVerifyCommand,
  auditTailCommand,
  auditCheckpointCommand,
  tokenSignCommand,
  tokenVerifyCommand,
  tokenPubkeyCommand,
  backupCreateCommand,
  backupRestoreCommand,
  backupKeyExportCommand,
  timeAdvanceCommand,
  timeResetCommand,
  timeShowCommand,
  quorumApproveCommand,
  quorumMergeCommand,
  installPathsCommand,
  uninstallPathsCommand,
  consoleCommand,
];

export const LOCAL_GROUPS: Readonly<Record<string, string>> = {
  hsm: 'Run and manage individual HSM nodes',
  backup: 'Back up the cluster state and restore it into a new cluster',
  'backup key': "Manage the cluster's backup key, which encrypts and authenticates its backups",
  audit: "Inspect and verify the HSMs' hash-chained audit logs",
  token:
    'Sign and verify MFA and quorum registration token files (instead of the openssl recipe); export signing public keys',
  quorum: 'Approve quorum tokens (sign approval files) and merge approvals',
  time: 'Move the clock of a --dev-clock cluster to rehearse token timeouts and idle sessions',
};

export const localTree: CommandTree<LocalContext, number> = {
  name: 'localhsm',
  about: 'LocalHSM: a local cluster of software HSMs emulating the AWS CloudHSM user plane',
  commands: LOCAL_COMMANDS,
  groups: LOCAL_GROUPS,
};
