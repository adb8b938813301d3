// Writes a file atomically: every file LocalHSM writes whole (token files, config, manifest, certificates,
// backups, exports). A fresh temporary file beside the target, then one rename; no link is ever followed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HsmError } from '../errors.js';
import { FileRefused, describeFsError } from './fs-error.js';
import { expandHome } from './home.js';
import { PRIVATE_FILE_MODE } from './modes.js';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

/**
 * Creates the temporary file with an unpredictable name in the target's directory (so that the rename
 * stays on one file system), with O_EXCL|O_NOFOLLOW: a file or link planted there makes the open fail
 * instead of being written through.
 */
function createTemp(target: string, mode: number): { fd: number; tmp: string } {
  for (let attempt = 0; ; attempt++) {
    const tmp = path.join(
      path.dirname(target),
      `.${path.basename(target)}.${crypto.randomBytes(8).toString('hex')}.tmp`,
    );
    try {
      return { fd: fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode), tmp };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 4) throw error;
    }
  }
}

/**
 * A symbolic link at the target is refused rather than replaced: the user who made it expects the
 * write to land where it points, and writing there is what a planted link would exploit.
 */
function refuseLink(target: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (stat.isSymbolicLink()) {
    throw new FileRefused(
      'ELOOP',
      'it is a symbolic link, and LocalHSM does not write through links (give the real path, or remove the link)',
    );
  }
}

/** The temporary file, written whole with exactly `mode` and on disk, ready to be renamed or linked. */
function writeTemp(target: string, content: string | Buffer, mode: number): string {
  const { fd, tmp } = createTemp(target, mode);
  try {
    fs.writeFileSync(fd, content);
    // The mode given at creation is narrowed by the umask; the file gets exactly the one asked for.
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  } finally {
    fs.closeSync(fd);
  }
  return tmp;
}

/**
 * Writes `content` to `file` (a leading `~/` is the home directory) with exactly `mode`, atomically:
 * readers see the old file or the new one, never a part. Errors are ERR_FILE naming `file` as given.
 */
export function writeFileAtomic(file: string, content: string | Buffer, mode = PRIVATE_FILE_MODE): void {
  const target = expandHome(file);
  let tmp: string | undefined;
  try {
    refuseLink(target);
    tmp = writeTemp(target, content, mode);
    // rename(2) replaces the directory entry itself and never follows a link at the target.
    fs.renameSync(tmp, target);
    tmp = undefined;
  } catch (error) {
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
    throw new HsmError('ERR_FILE', { action: 'write', file, detail: describeFsError(error) });
  }
}

/**
 * Creates `file` whole with `content`, unless it exists: for keys made once (a second writer racing the
 * first must keep the first one's key). Returns false when the file was already there (a link included:
 * link(2) never replaces or follows one).
 */
export function createFileOnce(file: string, content: string | Buffer, mode = PRIVATE_FILE_MODE): boolean {
  const tmp = writeTemp(file, content, mode);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
