// The library API: startCluster() brings up a LocalHSM cluster for another project's test suite — HSM nodes
// in this process over real TLS (default) or as separate processes — and runs cloudhsm-cli against it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { cloudhsmCliMain } from '../cli/main.js';
import { CliSession } from '../cli/context.js';
import { moveClusterClock } from '../cluster/dev-clock.js';
import { parseDuration } from '../cluster/duration.js';
import { type ClusterManifest, hasCluster, paths, readManifest } from '../cluster/state-dir.js';
import { HsmError } from '../errors.js';
import type { Clock } from '../hsm/node.js';
import type { KdfProfile } from '../hsm/password.js';
import { type ServingNode, serveHsm } from '../hsm/serve.js';
import {
  CLOUDHSM_CLI_BIN,
  LOCALHSM_BIN,
  type StartedNodes,
  startNodes,
  stopNodes,
} from '../localhsm/cluster-manager.js';
import { ensureDevClockSecret } from '../localhsm/dev-clock-secret.js';
import { compareClusterWithSeed, createNewCluster } from '../localhsm/new-cluster.js';
import type { HsmMode, HsmType } from '../protocol/types.js';
import { type Seed, type SeedInput, loadSeedFile, resolveSeed } from '../seed/seed-file.js';
import { ClusterSession, type LoginOptions } from './session.js';

export interface StartClusterOptions {
  /** HSMs of a new cluster, 1 to 28 [default 3]. */
  hsms?: number;
  /**
   * Users, keys and settings of a new cluster: the path of a YAML or JSON seed file, or the seed as an
   * object (its key file paths are relative to the current directory). The cluster is activated with
   * the password of the seed's `admin`. On a resumed `state`, the seed's users must be there.
   */
  seed?: string | SeedInput;
  /** Password hashing cost of a new cluster [default 'fast': this API is for test suites]. */
  kdf?: KdfProfile;
  /**
   * State directory. Absent: a new temporary directory, deleted by stop(). Given: a cluster there is
   * resumed (and kept by stop()), or a new one is created there.
   */
  state?: string;
  /** Run each HSM as its own process (`localhsm hsm serve`) instead of in this process [default false]. */
  processes?: boolean;
  /** Create the cluster with a movable clock: advanceTime() / resetTime(), `localhsm time` [default false]. */
  devClock?: boolean;
  /** HSM type of a new cluster: no `cluster` quorum service and 250 users on hsm1.medium [default 'hsm2m.medium']. */
  hsmType?: HsmType;
  /** Mode of a new cluster: Ed25519 needs an hsm2m.medium 'non-fips' cluster [default 'fips']. */
  mode?: HsmMode;
  /** In-process HSMs only: the time source of every node (tests that drive time themselves). */
  clock?: Clock;
  /** Where node log lines go [default: nowhere]. With processes, each node logs to its node.log. */
  log?: (line: string) => void;
}

/** One cloudhsm-cli run: exit status (0 ok, 1 failed, 2 usage), the JSON envelope, and the raw streams. */
export interface CliResult {
  exitCode: number;
  /** The envelope `{error_code, data}` when stdout holds exactly one (one command). */
  json: CliEnvelope | undefined;
  stdout: string;
  /** Prompts, warnings and hints. */
  stderr: string;
}

export interface CliEnvelope {
  error_code: number;
  // The data of a command's envelope has that command's shape (see docs/cli.md).
  data: any;
}

export interface CliOptions {
  /** Extra environment for this run, e.g. CLOUDHSM_ROLE and CLOUDHSM_PIN (single-command login). */
  env?: Record<string, string | undefined>;
}

export interface HsmAddress {
  id: string;
  host: string;
  port: number;
}

export interface LocalCluster {
  readonly clusterId: string;
  /** The state directory (cluster.json, cloudhsm-cli.cfg, customerCA.crt, hsms/). */
  readonly stateDir: string;
  /** cloudhsm-cli.cfg of the cluster (the real format). */
  readonly configPath: string;
  /** The cluster CA certificate (customerCA.crt) the HSMs' certificates chain to. */
  readonly caPath: string;
  readonly hsms: readonly HsmAddress[];
  /**
   * Environment to run the `cloudhsm-cli` and `localhsm` executables against this cluster: LOCALHSM_STATE,
   * and PATH with the package's bin directory first. Merge it into process.env for child processes.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Paths of the two executables. */
  readonly bin: { readonly cloudhsmCli: string; readonly localhsm: string };
  /**
   * Runs cloudhsm-cli with `args` (in this process, or as a child process with `processes: true`);
   * `input` is its stdin (answers to prompts, or `interactive` commands, one per line). The run does not
   * inherit CLOUDHSM_ROLE / CLOUDHSM_PIN from process.env: pass them in `options.env`.
   */
  cli(args: readonly string[], input?: string, options?: CliOptions): Promise<CliResult>;
  /**
   * Logs in (password login) on every HSM and resolves with a session that runs key and crypto calls,
   * or any cloudhsm-cli command, in this process without a child process; calls may overlap.
   */
  login(options: LoginOptions): Promise<ClusterSession>;
  /** Moves every HSM's clock forward (`'10m'`, `'1h30m'`, or seconds); needs `devClock: true`. */
  advanceTime(duration: string | number): Promise<void>;
  /** Puts every HSM back on the system clock; needs `devClock: true`. */
  resetTime(): Promise<void>;
  /** Stops one HSM (0-based index into `hsms`), to rehearse a failed HSM; its state stays. */
  stopHsm(index: number): Promise<void>;
  /** Starts a stopped HSM again. */
  startHsm(index: number): Promise<void>;
  /** Stops the HSMs this call started and deletes a temporary state directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** What the test helpers need beyond the public API: the in-process nodes themselves. */
export interface LaunchedCluster {
  cluster: LocalCluster;
  manifest: ClusterManifest;
  /** In-process nodes by HSM index (undefined while stopped); empty with `processes: true`. */
  serving: (ServingNode | undefined)[];
}

const quiet = () => {};

function loadSeed(seed: StartClusterOptions['seed'], hsmType: HsmType | undefined): Seed | undefined {
  if (seed === undefined) return undefined;
  return typeof seed === 'string'
    ? loadSeedFile(seed, hsmType)
    : resolveSeed(seed, undefined, undefined, hsmType);
}

/** Brings up a cluster: creates it (and seeds it) or resumes it, then starts every HSM and waits until all answer. */
export async function startCluster(options: StartClusterOptions = {}): Promise<LocalCluster> {
  return (await launchCluster(options)).cluster;
}

export async function launchCluster(options: StartClusterOptions = {}): Promise<LaunchedCluster> {
  // Everything is checked before a directory is created.
  const seed = loadSeed(options.seed, options.hsmType);
  const hsmCount = options.hsms ?? 3;
  if (!Number.isInteger(hsmCount) || hsmCount < 1 || hsmCount > 28) {
    throw new HsmError('ERR_STATE', { detail: 'hsms must be a whole number from 1 to 28' });
  }
  if (options.processes && options.clock) {
    throw new HsmError('ERR_STATE', { detail: 'clock applies to in-process HSMs only (processes: false)' });
  }
  const temporary = options.state === undefined;
  const dir = temporary ? fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-')) : path.resolve(options.state!);
  const resumed = hasCluster(dir);
  const log = options.log ?? quiet;
  try {
    if (!resumed) {
      await createNewCluster(
        dir,
        {
          hsms: hsmCount,
          kdf: options.kdf ?? 'fast',
          basePort: 0,
          seed,
          devClock: options.devClock,
          ...(options.hsmType && { hsmType: options.hsmType }),
          ...(options.mode && { mode: options.mode }),
        },
        log,
      );
    }
    const manifest = readManifest(dir);
    const runner = options.processes
      ? new ProcessNodes(dir)
      : new InProcessNodes(dir, manifest, options.clock, log);
    await runner.startAll();
    const cluster = makeCluster(dir, manifest, runner, options.processes === true, temporary);
    if (resumed && seed) {
      const { mismatches, notes } = await compareClusterWithSeed(dir, seed, log);
      for (const note of notes) log(`note: ${note}`);
      if (mismatches.length > 0) {
        await cluster.stop();
        throw new HsmError('ERR_SEED_MISMATCH', { dir, file: seed.source, detail: mismatches.join('; ') });
      }
    }
    return { cluster, manifest, serving: runner instanceof InProcessNodes ? runner.serving : [] };
  } catch (error) {
    if (temporary) fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

interface NodeRunner {
  startAll(): Promise<void>;
  start(index: number): Promise<void>;
  stop(index: number): Promise<void>;
  stopAll(): Promise<void>;
}

class InProcessNodes implements NodeRunner {
  readonly serving: (ServingNode | undefined)[];

  constructor(
    private readonly dir: string,
    private readonly manifest: ClusterManifest,
    private readonly clock: Clock | undefined,
    private readonly log: (line: string) => void,
  ) {
    this.serving = manifest.hsms.map(() => undefined);
  }

  async startAll(): Promise<void> {
    try {
      await Promise.all(this.manifest.hsms.map((_, i) => this.start(i)));
    } catch (error) {
      await this.stopAll();
      throw error;
    }
  }
  async start(index: number): Promise<void> {
    const hsm = this.manifest.hsms[index];
    if (!hsm) throw new HsmError('ERR_HSM_NOT_FOUND', { hsm: String(index) });
    if (this.serving[index]) return;
    try {
      this.serving[index] = await serveHsm({
        dataDir: paths(this.dir).hsm(hsm.id).dir,
        host: hsm.host,
        port: hsm.port,
        log: this.log,
        clock: this.clock,
      });
    } catch (error) {
      const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!busy) throw error;
      throw new HsmError('ERR_STATE', {
        detail: `port ${hsm.port} of ${hsm.id} is in use (is the cluster already running? localhsm down --state ${this.dir})`,
      });
    }
  }
  async stop(index: number): Promise<void> {
    const node = this.serving[index];
    this.serving[index] = undefined;
    await node?.stop();
  }
  async stopAll(): Promise<void> {
    await Promise.all(this.serving.map((_, i) => this.stop(i)));
  }
}

class ProcessNodes implements NodeRunner {
  private readonly started: StartedNodes[] = [];

  constructor(private readonly dir: string) {}

  async startAll(): Promise<void> {
    this.started.push(await startNodes(this.dir, { detach: false }));
  }
  async start(index: number): Promise<void> {
    this.started.push(await startNodes(this.dir, { detach: false, only: [this.idOf(index)] }));
  }
  async stop(index: number): Promise<void> {
    await stopNodes(this.dir, [this.idOf(index)]);
  }
  async stopAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((s) => s.stop()));
  }
  private idOf(index: number): string {
    const hsm = readManifest(this.dir).hsms[index];
    if (!hsm) throw new HsmError('ERR_HSM_NOT_FOUND', { hsm: String(index) });
    return hsm.id;
  }
}

function makeCluster(
  dir: string,
  manifest: ClusterManifest,
  runner: NodeRunner,
  processes: boolean,
  temporary: boolean,
): LocalCluster {
  const files = paths(dir);
  const binDir = path.dirname(CLOUDHSM_CLI_BIN);
  const env = { LOCALHSM_STATE: dir, PATH: [binDir, process.env.PATH].filter(Boolean).join(path.delimiter) };
  let stopped = false;
  /** Sessions from login(): stop() closes their connections, so none keeps the process alive. */
  const sessions = new Set<ClusterSession>();
  const moveClock = async (move: Parameters<typeof moveClusterClock>[1]) => {
    const session = new CliSession(files.config);
    try {
      await moveClusterClock(session.cluster(manifest.clusterId), move, quiet, ensureDevClockSecret(dir));
    } finally {
      session.close();
    }
  };
  return {
    clusterId: manifest.clusterId,
    stateDir: dir,
    configPath: files.config,
    caPath: files.ca,
    hsms: manifest.hsms.map((h) => ({ ...h })),
    env,
    bin: { cloudhsmCli: CLOUDHSM_CLI_BIN, localhsm: LOCALHSM_BIN },
    cli(args, input, options = {}) {
      const runEnv = { LOCALHSM_STATE: dir, ...options.env };
      return processes
        ? runCliProcess(args, input, { ...runEnv, PATH: env.PATH })
        : runCliInProcess(args, input, runEnv);
    },
    async login(options) {
      const session = await ClusterSession.open(files.config, manifest.clusterId, options);
      sessions.add(session);
      return session;
    },
    async advanceTime(duration) {
      const ms = typeof duration === 'number' ? duration * 1000 : parseDuration(duration);
      if (ms === undefined || !Number.isSafeInteger(ms) || ms < 0)
        throw new HsmError('ERR_DURATION', { value: String(duration).slice(0, 64) });
      await moveClock({ advanceMs: ms });
    },
    resetTime: () => moveClock({ reset: true }),
    stopHsm: (index) => runner.stop(index),
    startHsm: (index) => runner.start(index),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const session of sessions) session.close();
      await runner.stopAll();
      if (temporary) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function parseEnvelope(stdout: string): CliEnvelope | undefined {
  try {
    return JSON.parse(stdout) as CliEnvelope;
  } catch {
    return undefined;
  }
}

/** cloudhsm-cli in this process, with stdin from `input` and its output captured. */
export async function runCliInProcess(
  args: readonly string[],
  input: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<CliResult> {
  const stdin = Readable.from([input ?? '']) as Readable & { isTTY?: boolean };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const exitCode = await cloudhsmCliMain(args, env, { stdin, stdout, stderr });
  const text = Buffer.concat(out).toString('utf8');
  return { exitCode, json: parseEnvelope(text), stdout: text, stderr: Buffer.concat(err).toString('utf8') };
}

/** The cloudhsm-cli executable as a child process (nothing inherited from process.env but PATH and HOME). */
function runCliProcess(
  args: readonly string[],
  input: string | undefined,
  env: Record<string, string | undefined>,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLOUDHSM_CLI_BIN, ...args], {
      env: { HOME: process.env.HOME, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      resolve({
        exitCode: code ?? 1,
        json: parseEnvelope(text),
        stdout: text,
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {}); // the CLI may exit before reading all of its input
    child.stdin.end(input ?? '');
  });
}
