// Every localhsm command and the about text of its groups.
import type { CommandTree } from '../command/tree.js';
import type { LocalCommand, LocalContext } from './context.js';
import { auditCheckpointCommand } from './commands/audit/checkpoint.js';
import { auditTailCommand } from './commands/audit/tail.js';
import { auditVerifyCommand } from './commands/audit/verify.js';
import { backupCreateCommand } from './commands/backup/create.js';
import { backupKeyExportCommand } from './commands/backup/key/export.js';
import { backupRestoreCommand } from './commands/backup/restore.js';
import { configAddClusterCommand } from './commands/config/add-cluster.js';
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
import { completionCommand } from './commands/completion.js';
import { mtlsIssueClientCertCommand } from './commands/mtls/issue-client-cert.js';

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
  configAddClusterCommand,
  timeAdvanceCommand,
  timeResetCommand,
  timeShowCommand,
  quorumApproveCommand,
  quorumMergeCommand,
  installPathsCommand,
  uninstallPathsCommand,
  completionCommand,
  mtlsIssueClientCertCommand,
];

export const LOCAL_GROUPS: Readonly<Record<string, string>> = {
  hsm: 'Run and manage individual HSM nodes',
  backup: 'Back up the cluster state and restore it into a new cluster',
  config: "Manage the cluster's cloudhsm-cli.cfg",
  'backup key': "Manage the cluster's backup key, which encrypts and authenticates its backups",
  audit: "Inspect and verify the HSMs' hash-chained audit logs",
  token:
    'Sign and verify MFA and quorum registration token files (instead of the openssl recipe); export signing public keys',
  quorum: 'Approve quorum tokens (sign approval files) and merge approvals',
  mtls: 'Client certificates for rehearsing cluster mtls (trust anchors and enforcement)',
  time: 'Move the clock of a --dev-clock cluster to rehearse token timeouts and idle sessions',
};

/** The package version (a test keeps it equal to package.json's). */
export const LOCALHSM_VERSION = '0.1.0';

export const localTree: CommandTree<LocalContext, number> = {
  name: 'localhsm',
  version: LOCALHSM_VERSION,
  about: 'LocalHSM: a local cluster of software HSMs emulating the AWS CloudHSM user plane',
  commands: LOCAL_COMMANDS,
  groups: LOCAL_GROUPS,
};
