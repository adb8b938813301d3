// The process streams a command runs over, and the prompting side of them that commands and signers use.
import type { Readable, Writable } from 'node:stream';

export interface ProcessIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
}

/** Warnings and hints on stderr, and prompts (hidden for secrets on a terminal). */
export interface Prompter {
  /** A warning or hint line on stderr. */
  warn(line: string): void;
  /** Asks for a value (prompt on stderr); hidden input for secrets on a terminal. */
  prompt(question: string, options?: { hidden?: boolean }): Promise<string>;
}
