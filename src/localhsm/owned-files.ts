// What LocalHSM created in a state directory: the marker that claims it, the check before a cluster is created
// there, and the deletion of exactly its own files by localhsm reset (a foreign file is never deleted).
import fs from 'node:fs';
import path from 'node:path';
import { hasCluster, paths } from '../cluster/state-dir.js';
import { HsmError } from '../errors.js';

const MARKER_TEXT =
  'This directory holds a LocalHSM cluster. localhsm reset deletes only the files LocalHSM created here.\n';

/** Top-level names LocalHSM writes (see paths() in src/cluster/state-dir.ts), besides hsms/. */
const TOP_LEVEL = new Set([
  '.localhsm-state',
  'cluster.json',
  'cloudhsm-cli.cfg',
  'customerCA.crt',
  'customerCA.key',
  'cli-history',
  'backup.key',
  'dev-clock.secret',
]);
/** Names in an HSM's data directory: database (and SQLite's side files), TLS identity, pid, logs, audit and masking keys. */
const HSM_FILE =
  /^(hsm\.db(-wal|-shm|-journal)?|node\.(crt|key|pid)|node\.log(\.\d+)?|audit\.key|masking\.key)$/;
const HSM_DIR = /^hsm-[a-z2-7]{11}$/;

export const isStateDir = (dir: string): boolean => fs.existsSync(paths(dir).marker) || hasCluster(dir);

export function writeMarker(dir: string): void {
  if (!fs.existsSync(paths(dir).marker)) fs.writeFileSync(paths(dir).marker, MARKER_TEXT, { mode: 0o644 });
}

/** Refuses to create a cluster in a directory that holds anything but LocalHSM's own files. */
export function assertUsableForNewCluster(dir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length === 0 || fs.existsSync(paths(dir).marker)) return;
  throw new HsmError('ERR_STATE', {
    detail: `${dir} is not empty and is not a LocalHSM state directory (it holds ${describe(entries)}); nothing was created: give --state an empty or new directory`,
  });
}

/**
 * Deletes LocalHSM's files in `dir`, then the directories left empty (the state directory too). Returns
 * what was kept: paths, relative to `dir`, that LocalHSM did not create.
 */
export function deleteOwnedFiles(dir: string): string[] {
  const kept: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === 'hsms' && isRealDir(full)) {
      for (const id of fs.readdirSync(full)) {
        const hsmDir = path.join(full, id);
        if (!HSM_DIR.test(id) || !isRealDir(hsmDir)) {
          kept.push(path.join('hsms', id));
          continue;
        }
        for (const file of fs.readdirSync(hsmDir)) {
          if (HSM_FILE.test(file) && !isRealDir(path.join(hsmDir, file))) fs.rmSync(path.join(hsmDir, file));
          else kept.push(path.join('hsms', id, file));
        }
        removeIfEmpty(hsmDir);
      }
      removeIfEmpty(full);
    } else if (TOP_LEVEL.has(name) && !isRealDir(full)) fs.rmSync(full);
    else kept.push(name);
  }
  removeIfEmpty(dir);
  return kept;
}

function isRealDir(p: string): boolean {
  return fs.lstatSync(p).isDirectory();
}

function removeIfEmpty(dir: string): void {
  if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

function describe(entries: string[]): string {
  const shown = entries.slice(0, 3).join(', ');
  return entries.length > 3 ? `${shown} and ${entries.length - 3} more` : shown;
}
