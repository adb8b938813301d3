// localhsm completion bash|zsh: prints the outer shell's completion script for localhsm and cloudhsm-cli.
import { cliTree } from '../../cli/registry.js';
import {
  COMPLETION_SHELLS,
  type CompletionShell,
  completionScript,
} from '../../command/completion-script.js';
import type { CommandTree } from '../../command/tree.js';
import { UsageError } from '../../command/parse.js';
import { localCommand, STATE_OPTION } from '../context.js';
import { localTree } from '../registry.js';

export const completionCommand = localCommand({
  path: ['completion'],
  about: 'Print the bash or zsh completion script for localhsm and cloudhsm-cli (source it in your shell)',
  extension: true,
  options: [],
  positionals: [{ name: 'SHELL', help: 'bash or zsh', required: true }],
  examples: [
    'source <(localhsm completion bash)    # in ~/.bashrc',
    'source <(localhsm completion zsh)     # in ~/.zshrc',
  ],
  async run(options, ctx) {
    const shell = options.positionals[0]!;
    if (!(COMPLETION_SHELLS as readonly string[]).includes(shell))
      throw new UsageError(
        `error: invalid value '${shell}' for '<SHELL>'\n  [possible values: ${COMPLETION_SHELLS.join(', ')}]\n\nUsage: localhsm completion <SHELL>\n\nFor more information, try '--help'.`,
      );
    ctx.stdout.write(
      completionScript(shell as CompletionShell, [
        { name: 'localhsm', tree: localTree as CommandTree<unknown, unknown> },
        {
          name: 'cloudhsm-cli',
          tree: cliTree('cloudhsm-cli') as CommandTree<unknown, unknown>,
          rootOptions: [{ ...STATE_OPTION, extension: true }],
        },
      ]),
    );
    return 0;
  },
});
