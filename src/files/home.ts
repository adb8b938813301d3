// `~` in a file name given by a person: the home directory, as a shell would expand it.
import os from 'node:os';
import path from 'node:path';

/** A leading `~/` means the home directory, as people type it at a prompt. */
export function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;
}
