// localhsm install-paths: puts cloudhsm-cli, configure-cli, the cluster's config and CA in CloudHSM's standard paths.
import path from 'node:path';
import { installPaths } from '../../cluster/install-paths.js';
import { hasCluster, readManifest } from '../../cluster/state-dir.js';
import { HsmError } from '../../errors.js';
import { STATE_OPTION, localCommand, stateDirOf } from '../context.js';
import { installFiles } from '../install-files.js';

export const PREFIX_OPTION = {
  long: 'prefix',
  value: 'DIR',
  help: 'Install under DIR/opt/cloudhsm instead of /opt/cloudhsm (for tests, or without root) [default: /]',
} as const;

export const installPathsCommand = localCommand({
  path: ['install-paths'],
  about:
    "Put cloudhsm-cli and configure-cli in /opt/cloudhsm/bin and the cluster's config and CA in /opt/cloudhsm/etc, where scripts for CloudHSM look (opt-in)",
  options: [PREFIX_OPTION, STATE_OPTION],
  examples: ['sudo localhsm install-paths', 'localhsm install-paths --prefix /tmp/root'],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    if (!hasCluster(dir))
      throw new HsmError('ERR_STATE', {
        detail: `no cluster in ${dir}: create one with localhsm up, or give --state DIR`,
      });
    const manifest = readManifest(dir);
    const prefix = path.resolve(options.string('prefix') ?? '/');
    const files = installFiles(prefix, dir, manifest);
    ctx.out(`Installed for cluster ${manifest.clusterId} (state: ${dir}):`);
    for (const file of files) ctx.out(`  ${file}`);
    ctx.out(
      `cloudhsm-cli reads ${installPaths(prefix).config} when no --state, $LOCALHSM_STATE or ./.localhsm gives a cluster.`,
    );
    ctx.out(
      `Remove them with: localhsm uninstall-paths${prefix === path.resolve('/') ? '' : ` --prefix ${prefix}`}`,
    );
    return 0;
  },
});
