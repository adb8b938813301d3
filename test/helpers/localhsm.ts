// Runs the localhsm binary's main in-process and captures its output; runs shell command lines (bash).
import { execFileSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { localhsmMain } from '../../src/localhsm/main.js';

export interface LocalRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `input`: what stdin holds (answers to prompts, one per line). */
export async function runLocalhsm(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  input = '',
): Promise<LocalRun> {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = capture();
  const err = capture();
  const code = await localhsmMain(args, env, {
    stdin: Readable.from([input]),
    stdout: out.stream,
    stderr: err.stream,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Runs a bash command line in `cwd` (the seed's own shell commands) and returns its stdout. */
export function bash(command: string, cwd: string): string {
  return execFileSync('bash', ['-c', command], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
