// CloudHSM's standard install paths (/opt/cloudhsm/...) under a prefix, and which cloudhsm-cli.cfg a client reads.
import fs from 'node:fs';
import path from 'node:path';
import { paths, resolveStateDir } from './state-dir.js';

/**
 * Set by the launchers `localhsm install-paths` writes (in their own text, so `sudo`, which resets the
 * environment, does not lose it): the prefix whose opt/cloudhsm/etc/cloudhsm-cli.cfg is the fallback config.
 */
export const INSTALL_PREFIX_ENV = 'LOCALHSM_INSTALL_PREFIX';

/** The files of a CloudHSM client installation under `prefix` (`/` for the real paths). */
export function installPaths(prefix: string) {
  const root = path.join(path.resolve(prefix), 'opt', 'cloudhsm');
  const bin = path.join(root, 'bin');
  const etc = path.join(root, 'etc');
  return {
    root,
    bin,
    etc,
    cli: path.join(bin, 'cloudhsm-cli'),
    configure: path.join(bin, 'configure-cli'),
    config: path.join(etc, 'cloudhsm-cli.cfg'),
    ca: path.join(etc, 'customerCA.crt'),
    /** What install-paths created, so that uninstall-paths removes exactly that. */
    manifest: path.join(etc, '.localhsm-install.json'),
  };
}

/** Where the config came from, for messages and hints. */
export type ConfigSource = '--state' | 'LOCALHSM_STATE' | './.localhsm' | 'LOCALHSM_CLI_CONFIG' | 'installed';

export interface ConfigChoice {
  file: string;
  source: ConfigSource;
  /** The state directory the config belongs to; undefined for an installed config. */
  stateDir: string | undefined;
}

/**
 * The cloudhsm-cli.cfg a client reads: LOCALHSM_CLI_CONFIG; else the state directory's (--state, else
 * LOCALHSM_STATE, else ./.localhsm); when neither option nor variable is given and ./.localhsm holds no
 * config, the installed one (opt/cloudhsm/etc/cloudhsm-cli.cfg under $LOCALHSM_INSTALL_PREFIX, else /), if
 * it exists. An explicit state directory is never overridden: a mistyped one is an error, not another cluster.
 */
export function chooseConfig(
  stateFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): ConfigChoice {
  const stateDir = resolveStateDir(stateFlag, env, cwd);
  if (env.LOCALHSM_CLI_CONFIG)
    return { file: path.resolve(cwd, env.LOCALHSM_CLI_CONFIG), source: 'LOCALHSM_CLI_CONFIG', stateDir };
  const own = paths(stateDir).config;
  if (stateFlag !== undefined) return { file: own, source: '--state', stateDir };
  if (env.LOCALHSM_STATE !== undefined) return { file: own, source: 'LOCALHSM_STATE', stateDir };
  if (!fs.existsSync(own)) {
    const installed = installPaths(env[INSTALL_PREFIX_ENV] || '/').config;
    if (fs.existsSync(installed)) return { file: installed, source: 'installed', stateDir: undefined };
  }
  return { file: own, source: './.localhsm', stateDir };
}
