// Test helper: a long-lived in-process `cloudhsm-cli interactive` whose stdin the test writes line by line.
import { PassThrough } from 'node:stream';
import { cloudhsmCliMain } from '../../src/cli/main.js';
import { SHELL_PROMPT } from '../../src/cli/shell.js';

/** `error_code` -1: the command printed no envelope (usage error or help); `data` is stderr so far. */
export interface Envelope {
  error_code: number;
  data: any;
}

export interface InteractiveShell {
  /** Types one command line and resolves with the envelope it printed. */
  run(line: string): Promise<Envelope>;
  /** Everything written to stderr so far (prompts, warnings). */
  stderr(): string;
  /** Ends stdin (like Ctrl-D) and resolves with the shell's exit status. */
  close(): Promise<number>;
}

/**
 * Quorum tokens belong to one login session, so generate -> sign -> use must happen in one shell:
 * this keeps the shell (and its connections) open while the test signs files between commands.
 */
export function openShell(stateDir: string, env: NodeJS.ProcessEnv = {}): InteractiveShell {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  const waiting: ((e: Envelope) => void)[] = [];
  let prompts = 0;
  let answered = 0;
  let errAtLastPrompt = 0;
  stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    // Envelopes are 2-space pretty JSON: the top-level object is the only one closed at column 0.
    for (let end = out.indexOf('\n}\n'); end !== -1; end = out.indexOf('\n}\n')) {
      const text = out.slice(0, end + 2);
      out = out.slice(end + 3);
      answered++;
      waiting.shift()?.(JSON.parse(text) as Envelope);
    }
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    // The shell shows its prompt again once a command is done: one without an envelope was a usage error or help.
    while (err.indexOf(SHELL_PROMPT, errAtLastPrompt) !== -1) {
      errAtLastPrompt = err.indexOf(SHELL_PROMPT, errAtLastPrompt) + SHELL_PROMPT.length;
      prompts++;
      if (answered < prompts - 1) {
        answered++;
        waiting.shift()?.({ error_code: -1, data: err });
      }
    }
  });
  const exit = cloudhsmCliMain(
    ['interactive'],
    { LOCALHSM_STATE: stateDir, ...env },
    { stdin, stdout, stderr },
  );
  return {
    run(line) {
      const next = new Promise<Envelope>((resolve) => waiting.push(resolve));
      stdin.write(`${line}\n`);
      return next;
    },
    stderr: () => err,
    async close() {
      stdin.end();
      return exit;
    },
  };
}
