// Test helper: a long-lived `bin/cloudhsm-cli interactive` child process whose stdin the test writes line by line
// (quorum tokens belong to one login session, so generate -> sign -> use must happen in one process).
import { spawn } from 'node:child_process';
import { CLOUDHSM_CLI_BIN, cleanEnv } from './processes.js';

export interface Envelope {
  error_code: number;
  data: any;
}

export interface CliProcessSession {
  /** Types one command line and resolves with the envelope it printed. */
  run(line: string): Promise<Envelope>;
  /** Ends stdin (like Ctrl-D) and resolves with the exit status. */
  close(): Promise<number>;
}

/** A safety net against a command that prints no envelope; tests never rely on it for timing. */
const HUNG_COMMAND_MS = 60_000;

export function openCliProcess(state: string, env: NodeJS.ProcessEnv = {}): CliProcessSession {
  const child = spawn(process.execPath, [CLOUDHSM_CLI_BIN, 'interactive'], {
    env: cleanEnv({ LOCALHSM_STATE: state, ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiting: { resolve(e: Envelope): void; reject(e: Error): void; guard: NodeJS.Timeout }[] = [];
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    // Envelopes are 2-space pretty JSON: the top-level object is the only one closed at column 0.
    for (let end = out.indexOf('\n}\n'); end !== -1; end = out.indexOf('\n}\n')) {
      const text = out.slice(0, end + 2);
      out = out.slice(end + 3);
      const next = waiting.shift();
      if (next) {
        clearTimeout(next.guard);
        next.resolve(JSON.parse(text.slice(text.indexOf('{'))) as Envelope);
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    run(line) {
      return new Promise<Envelope>((resolve, reject) => {
        const guard = setTimeout(() => {
          reject(new Error(`cloudhsm-cli interactive printed no envelope for: ${line}\nstderr: ${err}`));
        }, HUNG_COMMAND_MS);
        waiting.push({ resolve, reject, guard });
        child.stdin.write(`${line}\n`);
      });
    },
    async close() {
      child.stdin.end();
      return exited;
    },
  };
}
