// Writes a file atomically: every file LocalHSM writes whole (token files, config, manifest, backups, exports).
import fs from 'node:fs';

/** Writes a file atomically (temp file + rename) with the given mode. */
export function writeFileAtomic(file: string, content: string | Buffer, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
