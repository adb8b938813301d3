// Test helpers: run the real binaries (bin/localhsm, bin/cloudhsm-cli) as child processes with a clean environment.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/...). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const LOCALHSM_BIN = path.join(ROOT, 'bin', 'localhsm');
export const CLOUDHSM_CLI_BIN = path.join(ROOT, 'bin', 'cloudhsm-cli');

/** A safety net against a hung child; tests never rely on it for timing. */
const HUNG_CHILD_MS = 60_000;

export interface ProcessRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Only what a child needs: no CLOUDHSM_* or LOCALHSM_* leaks in from the developer's shell. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...extra };
}

export function runBin(
  bin: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(bin)} ${args.join(' ')} did not finish`));
    }, HUNG_CHILD_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({
        exitCode: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

export const localhsm = (args: readonly string[], options?: { env?: NodeJS.ProcessEnv; input?: string }) =>
  runBin(LOCALHSM_BIN, args, options);

/** cloudhsm-cli on the cluster in `state`, optionally logged in from CLOUDHSM_ROLE / CLOUDHSM_PIN. */
export function cloudhsmCli(
  state: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<ProcessRun> {
  return runBin(CLOUDHSM_CLI_BIN, args, {
    input: options.input,
    env: { LOCALHSM_STATE: state, ...options.env },
  });
}

/** `localhsm up` of a new 3-HSM detached cluster with the fast KDF on free ports. */
export async function upDetached(
  state: string,
  hsms = 3,
  extra: readonly string[] = [],
): Promise<ProcessRun> {
  const run = await localhsm([
    'up',
    '--hsms',
    String(hsms),
    '--kdf',
    'fast',
    '--base-port',
    '0',
    '--detach',
    '--state',
    state,
    ...extra,
  ]);
  if (run.exitCode !== 0) throw new Error(`localhsm up failed (${run.exitCode}): ${run.stderr}`);
  return run;
}

/** `localhsm down` when the directory still holds a cluster (after() of every e2e suite). */
export async function downIfPresent(state: string): Promise<void> {
  if (fs.existsSync(path.join(state, 'cluster.json'))) await localhsm(['down', '--state', state]);
}

/** Whether a process is gone (or a zombie: it has exited and holds no sockets any more). */
export function processGone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits for an external process to exit (it is not our child, so there is no exit event). */
export async function waitUntilGone(pid: number): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (processGone(pid)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${pid} did not exit`);
}
