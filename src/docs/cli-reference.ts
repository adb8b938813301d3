// Renders docs/cli.md from the command specs of both binaries and the message table.
import { MESSAGES } from '../errors.js';
import { localTree } from '../localhsm/registry.js';
import { commandHelp } from '../command/help.js';
import { cliTree } from '../cli/registry.js';
import { configureTree } from '../configure/registry.js';
import { type CommandTree, childrenOf } from '../command/tree.js';

function section(tree: CommandTree<unknown, unknown>, binary: string): string[] {
  const commands = [...tree.commands].sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' ')));
  return commands.flatMap((c) => [
    `### \`${[binary, ...c.path].join(' ')}\``,
    '',
    '```text',
    commandHelp(c, [binary], childrenOf(tree, c.path)),
    '```',
    '',
  ]);
}

export function renderCliDocs(): string {
  return [
    '# Command reference',
    '',
    'Generated from the command specs by `npm run docs`; do not edit by hand.',
    'Options and commands marked `[LocalHSM extension]` do not exist in the real `cloudhsm-cli`.',
    '',
    '## cloudhsm-cli',
    '',
    ...section(cliTree('cloudhsm-cli') as CommandTree<unknown, unknown>, 'cloudhsm-cli'),
    '## localhsm',
    '',
    ...section(localTree as CommandTree<unknown, unknown>, 'localhsm'),
    '## configure-cli',
    '',
    'Changes the `cloudhsm-cli.cfg` that `cloudhsm-cli` reads in the same place (see README, "Standard install paths").',
    '',
    ...section(configureTree as CommandTree<unknown, unknown>, 'configure-cli'),
    '## Messages',
    '',
    'Every user-visible error, by stable code. `{name}` is filled in from the situation.',
    '',
    '| code | message |',
    '|---|---|',
    ...Object.entries(MESSAGES).map(([code, text]) => `| \`${code}\` | ${text.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');
}
