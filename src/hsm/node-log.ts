// node.log: one line per event, rotated by size so that nothing a client does can fill the disk with it.
import fs from 'node:fs';
import { PRIVATE_FILE_MODE } from '../files/modes.js';

export const NODE_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const NODE_LOG_KEPT_FILES = 3;

/**
 * Appends lines to `file`; when a line would take it past `maxBytes`, the file becomes `file.1` (older
 * ones move up to `file.<kept>`, the oldest is dropped). Rotation copies then truncates, so output that
 * others append to the same file (the node's stderr, redirected there by `localhsm up`) stays in it.
 */
export function rotatingLog(
  file: string,
  options: { maxBytes?: number; kept?: number } = {},
): (line: string) => void {
  const maxBytes = options.maxBytes ?? NODE_LOG_MAX_BYTES;
  const kept = options.kept ?? NODE_LOG_KEPT_FILES;
  return (line) => {
    const text = `${line}\n`;
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    if (size > 0 && size + Buffer.byteLength(text) > maxBytes) {
      for (let i = kept - 1; i >= 1; i--) {
        if (fs.existsSync(`${file}.${i}`)) fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      }
      fs.copyFileSync(file, `${file}.1`);
      fs.chmodSync(`${file}.1`, PRIVATE_FILE_MODE);
      fs.truncateSync(file, 0);
    }
    fs.appendFileSync(file, text, { mode: PRIVATE_FILE_MODE });
  };
}
