// Test helpers: the localhsm binary in-process (argv in, exit status and output back), and openssl/bash subprocesses.
import { execFileSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { localhsmMain } from '../../src/localhsm/main.js';

export interface LocalRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runLocalhsm(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<LocalRun> {
  const stdin = Readable.from(['']) as Readable & { isTTY?: boolean };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const exitCode = await localhsmMain(args, env, { stdin, stdout, stderr });
  return {
    exitCode,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/** Runs a bash command line in `cwd` (the seed's own shell commands) and returns its stdout. */
export function bash(command: string, cwd: string): string {
  return execFileSync('bash', ['-c', command], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
