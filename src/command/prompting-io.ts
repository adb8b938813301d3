// A Prompter over a process's streams: warnings to stderr, prompts read from the shared line input.
import type { Writable } from 'node:stream';
import { HsmError } from '../errors.js';
import type { LineInput } from './line-input.js';
import type { Prompter } from './process-io.js';

export function promptingIo(input: () => LineInput, stderr: Writable): Prompter {
  return {
    warn: (line) => stderr.write(`${line}\n`),
    async prompt(question, options) {
      const answer = await input().read(question, options?.hidden ?? false);
      if (answer === undefined) throw new HsmError('ERR_INPUT_CLOSED', { prompt: question });
      return answer;
    },
  };
}
