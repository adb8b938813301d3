// Test helpers: a temporary cluster whose HSM nodes run in this process over real TLS, and an in-process cloudhsm-cli.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterManifest } from '../../src/cluster/state-dir.js';
import type { ServingNode } from '../../src/hsm/serve.js';
import { type StartClusterOptions, launchCluster, runCliInProcess } from '../../src/library/start-cluster.js';

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

export async function runCli(
  args: readonly string[],
  options: { state: string; input?: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  return runCliInProcess(args, options.input, { LOCALHSM_STATE: options.state, ...options.env });
}

export interface TestCluster {
  dir: string;
  manifest: ClusterManifest;
  nodes: (ServingNode | undefined)[];
  clock: ManualClock;
  cli(args: readonly string[], options?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
  /** cloudhsm-cli in single-command mode logged in from CLOUDHSM_ROLE / CLOUDHSM_PIN. */
  as(
    role: string,
    username: string,
    password: string,
    args: readonly string[],
    input?: string,
  ): Promise<CliRun>;
  stopNode(index: number): Promise<void>;
  startNode(index: number): Promise<void>;
  close(): Promise<void>;
}

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

/** In-process HSMs over real TLS, sharing one ManualClock; built on the library's startCluster. */
export async function startTestCluster(
  options: {
    hsms?: number;
    seed?: StartClusterOptions['seed'];
    devClock?: boolean;
    mode?: StartClusterOptions['mode'];
  } = {},
): Promise<TestCluster> {
  const clock = new ManualClock();
  const {
    cluster: api,
    manifest,
    serving,
  } = await launchCluster({ ...options, kdf: 'fast', clock, state: tempDir() });
  const dir = api.stateDir;
  const cluster: TestCluster = {
    dir,
    manifest,
    nodes: serving,
    clock,
    cli: (args, o = {}) => runCli(args, { state: dir, ...o }),
    as: (role, username, password, args, input) =>
      runCli(args, {
        state: dir,
        input,
        env: { CLOUDHSM_ROLE: role, CLOUDHSM_PIN: `${username}:${password}` },
      }),
    stopNode: (i) => api.stopHsm(i),
    startNode: (i) => api.startHsm(i),
    async close() {
      await api.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export const ADMIN_PASSWORD = 'admin-pass-1';

/** A cluster that is activated, with the admin password ADMIN_PASSWORD. */
export async function startActivatedCluster(
  options: { hsms?: number; mode?: StartClusterOptions['mode'] } = {},
): Promise<TestCluster> {
  const cluster = await startTestCluster(options);
  const run = await cluster.cli(['cluster', 'activate', '--password', ADMIN_PASSWORD]);
  if (run.json?.error_code !== 0) throw new Error(`activation failed: ${run.stdout}${run.stderr}`);
  return cluster;
}
