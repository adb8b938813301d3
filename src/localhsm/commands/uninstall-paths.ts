// localhsm uninstall-paths: removes exactly what install-paths put under the prefix.
import path from 'node:path';
import { localCommand } from '../context.js';
import { uninstallFiles } from '../install-files.js';
import { PREFIX_OPTION } from './install-paths.js';

export const uninstallPathsCommand = localCommand({
  path: ['uninstall-paths'],
  about: 'Remove what localhsm install-paths put in /opt/cloudhsm (and nothing else)',
  options: [PREFIX_OPTION],
  examples: ['sudo localhsm uninstall-paths', 'localhsm uninstall-paths --prefix /tmp/root'],
  async run(options, ctx) {
    const prefix = path.resolve(options.string('prefix') ?? '/');
    const { removed, kept } = uninstallFiles(prefix);
    ctx.out(`Removed ${removed.length} file(s) installed by LocalHSM under ${prefix}.`);
    for (const file of kept) ctx.err(`note: kept ${file}: it was replaced since and is not LocalHSM's`);
    return 0;
  },
});
