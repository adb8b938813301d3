// Private files and directories: secrets live in 0600 files under a 0700 state directory; wider ones are reported and tightened.
import fs from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes an existing file or directory private to its owner, returning a warning when it was
 * readable or writable by others (undefined when it already was private or does not exist).
 */
export function tightenMode(target: string, mode: number): string | undefined {
  let current: number;
  try {
    current = fs.statSync(target).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((current & 0o077) === 0) return undefined;
  fs.chmodSync(target, mode);
  return `warning: ${target} was accessible to other users (mode ${current.toString(8).padStart(4, '0')}); set to ${mode.toString(8).padStart(4, '0')}`;
}

/** Warns (without changing anything) when a file the user gave us, like a private key, is readable by others. */
export function warnIfShared(file: string): string | undefined {
  try {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077)
      return `warning: ${file} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')}); it should be 0600`;
  } catch {
    // unreadable files are reported by the code that reads them
  }
  return undefined;
}
