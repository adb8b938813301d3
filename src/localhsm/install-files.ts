// The files `localhsm install-paths` puts in opt/cloudhsm under a prefix, the record of what it created, and
// their removal (only what it created: a real CloudHSM client's files, or anyone else's, are never touched).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readRawConfig } from '../cluster/config-edit.js';
import { INSTALL_PREFIX_ENV, installPaths } from '../cluster/install-paths.js';
import { type ClusterManifest, paths } from '../cluster/state-dir.js';
import { HsmError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';

const BIN = (name: string) => fileURLToPath(new URL(`../../../bin/${name}`, import.meta.url));

/** The second line of every launcher: how uninstall-paths knows a launcher is its own. */
export const LAUNCHER_MARK = '# LocalHSM launcher written by `localhsm install-paths`';

const RecordSchema = z.object({
  version: z.literal(1),
  clusterId: z.string(),
  stateDir: z.string(),
  /** Files written, absolute. */
  files: z.array(z.string()),
  /** Directories created (deepest last), removed when empty. */
  dirs: z.array(z.string()),
});
type InstallRecord = z.infer<typeof RecordSchema>;

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * A launcher runs this installation's binary with the node running now. The prefix is in its own text,
 * not inherited: `sudo` resets the environment, and a sudo script must still find the installed config.
 */
export function launcherText(binary: 'cloudhsm-cli' | 'configure-cli', prefix: string): string {
  return [
    '#!/bin/sh',
    LAUNCHER_MARK,
    '# (localhsm uninstall-paths removes it). It runs the LocalHSM installation that wrote it.',
    `${INSTALL_PREFIX_ENV}=${quote(path.resolve(prefix))}`,
    `export ${INSTALL_PREFIX_ENV}`,
    `exec ${quote(process.execPath)} ${quote(BIN(binary))} "$@"`,
    '',
  ].join('\n');
}

function readRecord(file: string): InstallRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = RecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new HsmError('ERR_STATE', {
      detail: `${file} is not a LocalHSM install record; nothing was changed`,
    });
  return parsed.data;
}

const isLauncher = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8').split('\n')[1] === LAUNCHER_MARK;
  } catch {
    return false;
  }
};

function permissionError(target: string): HsmError {
  return new HsmError('ERR_STATE', {
    detail: `cannot write ${target}: permission denied; run it as root (sudo localhsm install-paths) or give --prefix DIR`,
  });
}

/** Creates `dir` and its missing parents; returns those it created, outermost first. */
function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode: 0o755 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw permissionError(d);
      throw error;
    }
  }
  return missing;
}

function assertWritable(dir: string): void {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw permissionError(dir);
  }
}

/** Writes launchers, config and CA of the cluster in `stateDir` under `prefix`; returns the files written. */
export function installFiles(prefix: string, stateDir: string, manifest: ClusterManifest): string[] {
  const target = installPaths(prefix);
  const previous = readRecord(target.manifest);
  const ours = new Set(previous?.files ?? []);
  // Nothing is written over a file LocalHSM did not put there (a real CloudHSM client, for instance).
  const foreign = [target.cli, target.configure, target.config, target.ca].filter(
    (f) => fs.existsSync(f) && !ours.has(f) && !isLauncher(f),
  );
  if (foreign.length > 0)
    throw new HsmError('ERR_STATE', {
      detail: `${foreign.join(', ')} ${foreign.length === 1 ? 'exists and was' : 'exist and were'} not installed by LocalHSM (a CloudHSM client?); nothing was changed`,
    });
  // The state directory's config, with what configure-cli or a person added to it, pointing at the copied CA.
  const config = readRawConfig(paths(stateDir).config);
  for (const entry of config.clusters) {
    entry.cluster.hsm_ca_file =
      entry.cluster_id === manifest.clusterId || config.clusters.length === 1
        ? target.ca
        : path.resolve(stateDir, String(entry.cluster.hsm_ca_file));
  }
  const ca = fs.readFileSync(paths(stateDir).ca, 'utf8');
  const dirs = [...(previous?.dirs ?? []), ...makeDirs(target.bin), ...makeDirs(target.etc)];
  assertWritable(target.bin);
  assertWritable(target.etc);
  writeFileAtomic(target.cli, launcherText('cloudhsm-cli', prefix), 0o755);
  writeFileAtomic(target.configure, launcherText('configure-cli', prefix), 0o755);
  writeFileAtomic(target.ca, ca, 0o644);
  writeFileAtomic(target.config, JSON.stringify(config, null, 2) + '\n', 0o644);
  const files = [target.cli, target.configure, target.config, target.ca];
  const record: InstallRecord = { version: 1, clusterId: manifest.clusterId, stateDir, files, dirs };
  writeFileAtomic(target.manifest, JSON.stringify(record, null, 2) + '\n', 0o644);
  return files;
}

/** Removes what installFiles wrote under `prefix`; returns the files removed and those kept (not ours). */
export function uninstallFiles(prefix: string): { removed: string[]; kept: string[] } {
  const target = installPaths(prefix);
  const record = readRecord(target.manifest);
  if (!record)
    throw new HsmError('ERR_STATE', {
      detail: `nothing installed by LocalHSM under ${path.resolve(prefix)} (no ${target.manifest}); nothing was changed`,
    });
  assertWritable(target.etc);
  const removed: string[] = [];
  const kept: string[] = [];
  for (const file of record.files) {
    if (!fs.existsSync(file)) continue;
    // A launcher replaced since (by a real client's installer, say) is not ours any more.
    const launcher = file === target.cli || file === target.configure;
    if (launcher && !isLauncher(file)) kept.push(file);
    else {
      fs.rmSync(file);
      removed.push(file);
    }
  }
  fs.rmSync(target.manifest);
  for (const dir of [...record.dirs].reverse()) {
    try {
      if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    } catch {
      // Gone already, or not empty: left as it is.
    }
  }
  return { removed, kept };
}
