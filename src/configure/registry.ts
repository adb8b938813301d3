// configure-cli's commands: the root (options only) and the documented subcommands.
import type { CommandTree } from '../command/tree.js';
import { CLI_VERSION } from '../cli/registry.js';
import type { ConfigureCommand, ConfigureContext } from './context.js';
import { addClusterCommand } from './commands/add-cluster.js';
import { configureRootCommand } from './commands/configure.js';
import { removeClusterCommand } from './commands/remove-cluster.js';

export const CONFIGURE_COMMANDS: readonly ConfigureCommand[] = [
  configureRootCommand,
  addClusterCommand,
  removeClusterCommand,
];

export const configureTree: CommandTree<ConfigureContext, number> = {
  name: 'configure-cli',
  about: 'Update the configuration file of the AWS CloudHSM CLI (cloudhsm-cli.cfg)',
  commands: CONFIGURE_COMMANDS,
  groups: {},
  version: CLI_VERSION,
};
