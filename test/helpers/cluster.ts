// Test helpers: a temporary cluster whose HSM nodes run in this process over real TLS, and an in-process cloudhsm-cli.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { cloudhsmCliMain } from '../../src/cli/main.js';
import { paths, readManifest, type ClusterManifest } from '../../src/cluster/state-dir.js';
import { serveHsm, type ServingNode } from '../../src/hsm/serve.js';
import { createCluster } from '../../src/localhsm/cluster-manager.js';

export function tempDir(prefix = 'localhsm-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The parsed JSON envelope on stdout, when there is exactly one. */
  json: { error_code: number; data: any } | undefined;
}

export async function runCli(args: readonly string[], options: { state: string; input?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  const stdin = Readable.from([options.input ?? '']) as Readable & { isTTY?: boolean };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const exitCode = await cloudhsmCliMain(args, { LOCALHSM_STATE: options.state, ...options.env }, { stdin, stdout, stderr });
  const text = Buffer.concat(out).toString('utf8');
  let json: CliRun['json'];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { exitCode, stdout: text, stderr: Buffer.concat(err).toString('utf8'), json };
}

export interface TestCluster {
  dir: string;
  manifest: ClusterManifest;
  nodes: (ServingNode | undefined)[];
  clock: ManualClock;
  cli(args: readonly string[], options?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
  /** cloudhsm-cli in single-command mode logged in from CLOUDHSM_ROLE / CLOUDHSM_PIN. */
  as(role: string, username: string, password: string, args: readonly string[], input?: string): Promise<CliRun>;
  stopNode(index: number): Promise<void>;
  startNode(index: number): Promise<void>;
  close(): Promise<void>;
}

const quiet = () => {};

/** A clock that only moves when a test moves it (shared by every node of a test cluster). */
export class ManualClock {
  constructor(private ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export async function startTestCluster(options: { hsms?: number } = {}): Promise<TestCluster> {
  const dir = tempDir();
  await createCluster(dir, { hsms: options.hsms ?? 3, kdf: 'fast', basePort: 0 });
  const manifest = readManifest(dir);
  const clock = new ManualClock();
  const start = (i: number) =>
    serveHsm({ dataDir: paths(dir).hsm(manifest.hsms[i]!.id).dir, host: '127.0.0.1', port: manifest.hsms[i]!.port, log: quiet, clock });
  const nodes: (ServingNode | undefined)[] = await Promise.all(manifest.hsms.map((_, i) => start(i)));
  const cluster: TestCluster = {
    dir,
    manifest,
    nodes,
    clock,
    cli: (args, o = {}) => runCli(args, { state: dir, ...o }),
    as: (role, username, password, args, input) =>
      runCli(args, { state: dir, input, env: { CLOUDHSM_ROLE: role, CLOUDHSM_PIN: `${username}:${password}` } }),
    async stopNode(i) {
      await nodes[i]?.stop();
      nodes[i] = undefined;
    },
    async startNode(i) {
      nodes[i] ??= await start(i);
    },
    async close() {
      await Promise.all(nodes.map((n) => n?.stop()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export const ADMIN_PASSWORD = 'admin-pass-1';

/** A cluster that is activated, with the admin password ADMIN_PASSWORD. */
export async function startActivatedCluster(options: { hsms?: number } = {}): Promise<TestCluster> {
  const cluster = await startTestCluster(options);
  const run = await cluster.cli(['cluster', 'activate', '--password', ADMIN_PASSWORD]);
  if (run.json?.error_code !== 0) throw new Error(`activation failed: ${run.stdout}${run.stderr}`);
  return cluster;
}
