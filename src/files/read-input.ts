// Reads the files a person hands to a CLI (token, approval, key, seed, PIN files): regular files only, bounded
// in size, refused at once when they are a FIFO, a device or a directory (also behind a link).
import fs from 'node:fs';
import { HsmError } from '../errors.js';
import { FileRefused, describeFsError } from './fs-error.js';
import { expandHome } from './home.js';

/** Larger than any token, approval, key or seed file LocalHSM reads. */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

const { O_RDONLY, O_NONBLOCK } = fs.constants;

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The bytes of `file` (a leading `~/` is the home directory). Throws the fs error (ENOENT, EACCES, …)
 * or a FileRefused; both are worded by describeFsError.
 */
export function readInputFile(file: string, maxBytes = MAX_INPUT_FILE_BYTES): Buffer {
  // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting; fstat then refuses it.
  const fd = fs.openSync(expandHome(file), O_RDONLY | O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new FileRefused('EISDIR', 'it is a directory');
    if (!stat.isFile()) throw new FileRefused('ENOTREG', `it is ${kindOf(stat)}, not a regular file`);
    const tooLarge = new FileRefused('EFBIG', `it is larger than ${sizeText(maxBytes)}`);
    if (stat.size > maxBytes) throw tooLarge;
    // The size may change while reading: stop one byte past the limit to notice.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      // Sized for what fstat said plus one byte, so a file that did not grow takes one read and one EOF.
      const want = length < stat.size ? stat.size - length + 1 : 4096;
      const chunk = Buffer.allocUnsafe(Math.min(want, 65536, maxBytes + 1 - length));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > maxBytes) throw tooLarge;
    }
    return Buffer.concat(chunks, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** The text of an input file, or ERR_FILE (`Cannot read FILE: no such file or directory`). */
export function readTextFile(file: string, action = 'read', maxBytes = MAX_INPUT_FILE_BYTES): string {
  try {
    return readInputFile(file, maxBytes).toString('utf8');
  } catch (error) {
    throw new HsmError('ERR_FILE', { action, file, detail: describeFsError(error) });
  }
}
