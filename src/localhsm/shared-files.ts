// The state directory's files a cluster shares with its clones (CLONE_SHARED_FILES): read into a backup,
// written by backup restore. Only listed plain names are ever written: a backup names no path of its own.
import fs from 'node:fs';
import path from 'node:path';
import { CLONE_SHARED_FILES } from '../cluster/state-dir.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readInputFile } from '../files/read-input.js';

export interface SharedFile {
  name: string;
  data: Buffer;
}

/** Larger than any key file; a shared file is a secret, not state. */
const MAX_SHARED_FILE_BYTES = 1024 * 1024;

/** The listed files present in `dir` (a cluster made before a file was listed may lack it). */
export function readSharedFiles(dir: string, names: readonly string[] = CLONE_SHARED_FILES): SharedFile[] {
  return names
    .filter((name) => fs.existsSync(path.join(dir, name)))
    .map((name) => ({ name, data: readInputFile(path.join(dir, name), MAX_SHARED_FILE_BYTES) }));
}

/** The first name of `files` that is not a listed shared file, if any (checked before anything is written). */
export function unknownSharedFile(
  files: readonly { name: string }[],
  names: readonly string[] = CLONE_SHARED_FILES,
): string | undefined {
  return files.find((f) => !names.includes(f.name))?.name;
}

/** Writes the files (0600) into `dir`; callers checked the names with unknownSharedFile. */
export function writeSharedFiles(
  dir: string,
  files: readonly SharedFile[],
  names: readonly string[] = CLONE_SHARED_FILES,
): void {
  const unknown = unknownSharedFile(files, names);
  if (unknown !== undefined) throw new Error(`not a shared file of the state directory: ${unknown}`);
  for (const f of files) writeFileAtomic(path.join(dir, f.name), f.data, 0o600);
}
