// A Prompter over a process's streams: warnings to stderr, prompts read from the shared line input.
import type { Writable } from 'node:stream';
import { HsmError } from '../errors.js';
import { END_KEY, INTERRUPTED, type LineInput, type ReadAnswer } from './line-input.js';
import type { Prompter } from './process-io.js';

/**
 * Ctrl-C or Ctrl-D at a prompt on a terminal: the command stops before it sends or changes anything, and
 * says nothing more (the terminal already shows `^C`); the shell goes back to its prompt.
 */
export class CommandCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** The status of a single command cancelled at a prompt (as a shell reports a command ended by Ctrl-C). */
export const EXIT_CANCELLED = 130;

/** The line a prompt was answered with; throws when a key cancelled it or the input ended first. */
export function answerOf(answer: ReadAnswer, prompt: string): string {
  if (answer === INTERRUPTED || answer === END_KEY) throw new CommandCancelled();
  if (answer === undefined) throw new HsmError('ERR_INPUT_CLOSED', { prompt });
  return answer;
}

export function promptingIo(input: () => LineInput, stderr: Writable): Prompter {
  return {
    warn: (line) => stderr.write(`${line}\n`),
    async prompt(question, options) {
      // A prompt that asks for a file path (`Enter public key PEM file path:`) completes file names on Tab.
      const path = /\bfile ?path\b/i.test(question);
      return answerOf(await input().read(question, options?.hidden ?? false, { path }), question);
    },
  };
}
