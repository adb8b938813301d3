// Creates, starts, stops and inspects the local cluster in a state directory (nodes are child processes).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConfig, keepOtherMembers, readConfigIfValid, upsertCluster } from '../cluster/config.js';
import { HsmConnection } from '../cluster/connection.js';
import { newClusterId, newHsmId, newSerialNumber } from '../cluster/ids.js';
import {
  type ClusterManifest,
  type HsmEntry,
  paths,
  readManifest,
  writeManifest,
} from '../cluster/state-dir.js';
import { HsmError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { PRIVATE_DIR_MODE, tightenMode } from '../files/modes.js';
import type { KdfProfile } from '../hsm/password.js';
import { ensureAuditKey } from '../hsm/audit-key.js';
import { ensureBackupKey } from './backup-key.js';
import { writeMarker } from './owned-files.js';
import { type HsmIdentity, provisionHsm } from '../hsm/provision.js';
import { ensureMaskingKey } from '../hsm/keys/masking-file.js';
import { type SettingValues, readSetting, writeSettings } from '../hsm/settings.js';
import { DEFAULT_HSM_TYPE, type HsmType, configType } from '../protocol/types.js';
import { newCloneFamilyKey } from '../hsm/replicate-seal.js';
import { SqliteStore } from '../hsm/store/sqlite.js';

export const DEFAULT_BASE_PORT = 2223;
export const LOCALHSM_BIN = fileURLToPath(new URL('../../../bin/localhsm', import.meta.url));
export const CLOUDHSM_CLI_BIN = fileURLToPath(new URL('../../../bin/cloudhsm-cli', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface CreateOptions {
  hsms: number;
  kdf: KdfProfile;
  /** First port to try; 0 picks free ports chosen by the OS. */
  basePort: number;
  host?: string;
  /** Extra DNS names or IPs for every node certificate (to serve HSMs from other machines). */
  subjectAltNames?: readonly string[];
  /** hsm1.medium or hsm2m.medium (the default): written into every new HSM and the manifest. */
  hsmType?: HsmType;
  /** Node settings written into every new HSM's state (e.g. `mfa_token_seconds`). */
  settings?: SettingValues;
  progress?: (line: string) => void;
}

/** Makes the state directory private (0700), warning when an existing one was wider. */
export function ensurePrivateDir(dir: string, warn: (line: string) => void): void {
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    return;
  }
  const warning = tightenMode(dir, PRIVATE_DIR_MODE);
  if (warning) warn(warning);
}

async function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Ports from `base` upward that are free now (or OS-chosen ones when base is 0), skipping `taken`. */
export async function choosePorts(
  count: number,
  base: number,
  host: string,
  taken: readonly number[] = [],
): Promise<number[]> {
  const ports: number[] = [];
  for (let port = base; ports.length < count; port++) {
    if (base === 0 || port > 65535) {
      const p = await freePort(host);
      if (!taken.includes(p) && !ports.includes(p)) ports.push(p);
      continue;
    }
    if (!taken.includes(port) && (await isPortFree(port, host))) ports.push(port);
  }
  return ports;
}

/** Writes one HSM's database given its identity: a fresh provisioning, or a clone (hsm add, backup restore). */
export type StateMaker = (dbFile: string, identity: HsmIdentity) => Promise<void>;

export const provisionFresh: StateMaker = async (dbFile, identity) => {
  const store = new SqliteStore(dbFile);
  try {
    provisionHsm(store, identity);
  } finally {
    store.close();
  }
};

export async function createCluster(
  dir: string,
  options: CreateOptions,
  makeState: StateMaker = provisionFresh,
): Promise<ClusterManifest> {
  const host = options.host ?? '127.0.0.1';
  const progress = options.progress ?? (() => {});
  const files = paths(dir);
  const clusterId = newClusterId();
  progress(`Creating cluster ${clusterId} with ${options.hsms} HSM(s) in ${dir}`);
  writeMarker(dir);
  // Loaded only when a cluster is created: the X.509 library is heavy and most runs never need it.
  const { createClusterCa } = await import('../cluster/pki.js');
  const ca = await createClusterCa(clusterId);
  writeFileAtomic(files.caKey, ca.key, 0o600);
  writeFileAtomic(files.ca, ca.cert, 0o644);
  ensureBackupKey(dir);
  const san = options.subjectAltNames?.length ? [...options.subjectAltNames] : undefined;
  const manifest: ClusterManifest = {
    version: 1,
    clusterId,
    kdf: options.kdf,
    ...(options.hsmType && { hsmType: options.hsmType }),
    hsms: [],
    ...(san && { san }),
  };
  const settings = options.settings ?? {};
  // One clone family per new cluster: a state cloned from another (backup restore) keeps the family it has.
  const familyKey = newCloneFamilyKey();
  const makeNodeState: StateMaker = async (dbFile, identity) => {
    await makeState(dbFile, identity);
    const store = new SqliteStore(dbFile);
    try {
      store.transaction(() => {
        writeSettings(store, settings);
        if (readSetting(store, 'clone_family_key') === '')
          writeSettings(store, { clone_family_key: familyKey });
      });
    } finally {
      store.close();
    }
  };
  for (const port of await choosePorts(options.hsms, options.basePort, host)) {
    const hsm = await addNodeFiles(dir, manifest, { host, port }, makeNodeState);
    progress(`  ${hsm.id} on ${host}:${port}`);
  }
  writeManifest(dir, manifest);
  writeCliConfig(dir, manifest);
  return manifest;
}

/** Creates a new HSM's directory, certificate and state, and appends it to the manifest (not saved). */
export async function addNodeFiles(
  dir: string,
  manifest: ClusterManifest,
  address: { host: string; port: number },
  makeState: StateMaker,
): Promise<HsmEntry> {
  const hsm: HsmEntry = { id: newHsmId(), ...address };
  const files = paths(dir).hsm(hsm.id);
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const { issueNodeCert } = await import('../cluster/pki.js');
  const ca = { cert: fs.readFileSync(paths(dir).ca, 'utf8'), key: fs.readFileSync(paths(dir).caKey, 'utf8') };
  const cert = await issueNodeCert(ca, hsm.id, [hsm.host, ...(manifest.san ?? [])]);
  writeFileAtomic(files.key, cert.key, 0o600);
  writeFileAtomic(files.cert, cert.cert, 0o644);
  // The cluster's masking key: copied from an HSM already in it, or made for its first HSM. Before the state,
  // which may hold seeded keys sealed under it.
  const peer = manifest.hsms[0];
  ensureMaskingKey(files.dir, peer && paths(dir).hsm(peer.id).dir);
  await makeState(files.db, {
    hsmId: hsm.id,
    clusterId: manifest.clusterId,
    serialNumber: newSerialNumber(),
    kdf: manifest.kdf,
    ...(manifest.hsmType && { hsmType: manifest.hsmType }),
  });
  // Every HSM has its audit key from the start (state makers that write entries made it already).
  const store = new SqliteStore(files.db);
  try {
    ensureAuditKey(files.dir, store);
  } finally {
    store.close();
  }
  manifest.hsms.push(hsm);
  return hsm;
}

/** Writes this cluster's entry of cloudhsm-cli.cfg; entries of other clusters added to it are kept. */
export function writeCliConfig(dir: string, manifest: ClusterManifest): void {
  const files = paths(dir);
  const own = buildConfig(
    manifest.clusterId,
    files.ca,
    manifest.hsms.map((h) => ({ hostname: h.host, port: h.port })),
    configType(manifest.hsmType ?? DEFAULT_HSM_TYPE),
  );
  const existing = readConfigIfValid(files.config);
  // A config whose entries carry no cluster_id (hand-written) cannot hold more than this cluster.
  const config =
    existing && existing.clusters.every((c) => c.cluster_id !== undefined)
      ? upsertCluster(existing, own.clusters[0]!)
      : own;
  // The parsed config drops members LocalHSM does not model (configure-cli's options): keep them from the file.
  let previous: unknown;
  try {
    previous = JSON.parse(fs.readFileSync(files.config, 'utf8'));
  } catch {
    previous = undefined;
  }
  writeFileAtomic(files.config, JSON.stringify(keepOtherMembers(config, previous), null, 2) + '\n', 0o644);
}

export interface HsmStatus {
  id: string;
  host: string;
  port: number;
  up: boolean;
  pid: number | undefined;
  users: number | undefined;
  detail?: string;
}

function readPidFile(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** The pid in a node's pid file, if that process is still this node (a stale pid may have been reused). */
function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('serve') && cmdline.includes(path.dirname(file)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A child of this process that exited but is not reaped yet: this process's event loop reaps it within a
 * turn, so waiting for that means the pid is really gone when stopProcess returns (callers check it).
 */
function isOwnZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' && Number(parent) === process.pid;
  } catch {
    return false;
  }
}

/**
 * A detached node that exited stays a zombie until init reaps it, which some inits do only every
 * second or so; it holds no port and no files any more, so it counts as stopped.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * Asks HSMs who they are, over TLS with the cluster CA (read once), and checks each is the HSM the
 * manifest expects on that port.
 */
function prober(dir: string, manifest: ClusterManifest) {
  const ca = fs.readFileSync(paths(dir).ca, 'utf8');
  return async (hsm: HsmEntry): Promise<{ users: number | undefined } | { error: string }> => {
    const connection = new HsmConnection({ hostname: hsm.host, port: hsm.port }, ca);
    try {
      const info = await connection.call('hsm-info', {});
      if (info.hsmId !== hsm.id || info.clusterId !== manifest.clusterId) {
        return { error: `port ${hsm.port} answers as ${info.hsmId} of ${info.clusterId}` };
      }
      return { users: info.userCount };
    } catch (error) {
      // cluster mtls enforcement refused the probe, which has no client certificate: the HSM is up.
      if (error instanceof HsmError && error.code === 'ERR_HSM_DISCONNECTED') return { users: undefined };
      return { error: (error as Error).message };
    } finally {
      connection.close();
    }
  };
}

export async function clusterStatus(dir: string): Promise<{ manifest: ClusterManifest; hsms: HsmStatus[] }> {
  const manifest = readManifest(dir);
  const probe = prober(dir, manifest);
  const hsms = await Promise.all(
    manifest.hsms.map(async (hsm): Promise<HsmStatus> => {
      const pid = readPid(paths(dir).hsm(hsm.id).pid);
      const answer = await probe(hsm);
      return 'users' in answer
        ? { ...hsm, up: true, pid, users: answer.users }
        : { ...hsm, up: false, pid: isAlive(pid) ? pid : undefined, users: undefined, detail: answer.error };
    }),
  );
  return { manifest, hsms };
}

export interface StartedNodes {
  /** Node processes this call started (already-running nodes are left alone and not listed). */
  children: ChildProcess[];
  /** Stops those still running (one stopped by `localhsm down` meanwhile is not counted) and says how many. */
  stop(): Promise<number>;
}

/**
 * Starts every HSM that is not answering and waits until all answer. `detach`: the nodes outlive
 * this process (stopped by `localhsm down`); otherwise `stop()` ends the ones it started.
 */
export async function startNodes(
  dir: string,
  options: { detach: boolean; progress?: (line: string) => void; only?: readonly string[] },
): Promise<StartedNodes> {
  const progress = options.progress ?? (() => {});
  const manifest = readManifest(dir);
  const probe = prober(dir, manifest);
  const spawned: { hsm: HsmEntry; child: ChildProcess }[] = [];
  const wanted = manifest.hsms.filter((h) => !options.only || options.only.includes(h.id));
  const running = await Promise.all(wanted.map(async (hsm) => 'users' in (await probe(hsm))));
  for (const [i, hsm] of wanted.entries()) {
    if (running[i]) {
      progress(`  ${hsm.id} already running on ${hsm.host}:${hsm.port}`);
      continue;
    }
    if (!(await isPortFree(hsm.port, hsm.host))) {
      const taken = manifest.hsms.map((h) => h.port);
      const [port] = await choosePorts(1, 0, hsm.host, taken);
      progress(`  port ${hsm.port} is taken by another program; ${hsm.id} moves to ${port}`);
      hsm.port = port!;
      writeManifest(dir, manifest);
      writeCliConfig(dir, manifest);
    }
    spawned.push({ hsm, child: spawnNode(dir, hsm, options.detach) });
    progress(`  ${hsm.id} starting on ${hsm.host}:${hsm.port}`);
  }
  const children = spawned.map((s) => s.child);
  try {
    await waitUntilAnswering(dir, probe, wanted, spawned);
  } catch (error) {
    // A failed start leaves no node behind (one that serves but cannot answer would hold its port).
    await Promise.all(children.map((c) => stopProcess(c.pid)));
    throw error;
  }
  const stop = async () => {
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(running.map((c) => stopProcess(c.pid)));
    return running.length;
  };
  return { children, stop };
}

/**
 * What a node process inherits: the operator's locale, paths and Node settings, never their secrets
 * (`CLOUDHSM_PIN`, cloud credentials, tokens): a detached node keeps its environment for its lifetime.
 */
const NODE_ENVIRONMENT = [
  ...['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR'],
  ...['NODE_OPTIONS', 'NODE_V8_COVERAGE', 'LOCALHSM_DEBUG', 'LOCALHSM_KEY_SYNC_SECONDS'],
];

export function nodeEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => NODE_ENVIRONMENT.includes(name) || name.startsWith('LC_')),
  );
}

function spawnNode(dir: string, hsm: HsmEntry, detach: boolean): ChildProcess {
  const files = paths(dir).hsm(hsm.id);
  const log = fs.openSync(files.log, 'a', 0o600);
  const child = spawn(
    process.execPath,
    [
      ...[LOCALHSM_BIN, 'hsm', 'serve', '--data', files.dir, '--port', String(hsm.port), '--host', hsm.host],
      ...['--log', files.log, '--cluster-state', dir],
    ],
    { stdio: ['ignore', log, log], detached: detach, env: nodeEnvironment(process.env) },
  );
  fs.closeSync(log);
  if (detach) child.unref();
  return child;
}

async function waitUntilAnswering(
  dir: string,
  probe: ReturnType<typeof prober>,
  hsms: readonly HsmEntry[],
  spawned: readonly { hsm: HsmEntry; child: ChildProcess }[],
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const pending = new Set(hsms.map((h) => h.id));
  let round = 0;
  while (pending.size > 0) {
    const exited = spawned.find((s) => s.child.exitCode !== null);
    if (exited) {
      const log = paths(dir).hsm(exited.hsm.id).log;
      throw new HsmError('ERR_STATE', {
        detail: `HSM ${exited.hsm.id} exited at start (code ${exited.child.exitCode}): ${lastLogLine(log)} (${log})`,
      });
    }
    round++;
    await Promise.all(
      hsms.map(async (hsm) => {
        if (!pending.has(hsm.id)) return;
        // A TLS probe sets up a TLS context (the CA parsed again) even when the port refuses: polling with
        // it every 20 ms cost the booting nodes about as much CPU as their own start. A node we started
        // writes its pid file once it listens, so it is probed then (and every 10th round regardless).
        const child = spawned.find((s) => s.hsm.id === hsm.id)?.child;
        if (child && round % 10 !== 0 && readPidFile(paths(dir).hsm(hsm.id).pid) !== child.pid) return;
        if ('users' in (await probe(hsm))) pending.delete(hsm.id);
      }),
    );
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      throw new HsmError('ERR_STATE', {
        detail: `HSM(s) ${[...pending].join(', ')} did not answer within ${START_TIMEOUT_MS / 1000} s`,
      });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The last line a node logged (why it stopped), without its timestamp; read from the end of a bounded log. */
function lastLogLine(file: string): string {
  try {
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(Math.min(size, 4096));
    fs.readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    fs.closeSync(fd);
    const lines = buffer.toString('utf8').trimEnd().split('\n');
    return lines[lines.length - 1]!.replace(/^\S+Z /, '').replace(/^error: /, '');
  } catch {
    return 'see its node.log';
  }
}

export async function stopProcess(pid: number | undefined): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    process.kill(pid!, 'SIGTERM');
  } catch {
    return false;
  }
  for (let i = 0; i < 100 && (isAlive(pid) || isOwnZombie(pid!)); i++)
    await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    process.kill(pid!, 'SIGKILL');
    // Gone (and, for our own child, reaped) before returning: a restart may reuse its port right away.
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Stops the nodes of the cluster (those whose pid files name a live process). */
export async function stopNodes(dir: string, only?: readonly string[]): Promise<string[]> {
  const manifest = readManifest(dir);
  const stopped: string[] = [];
  await Promise.all(
    manifest.hsms
      .filter((h) => !only || only.includes(h.id))
      .map(async (hsm) => {
        if (await stopProcess(readPid(paths(dir).hsm(hsm.id).pid))) stopped.push(hsm.id);
      }),
  );
  return stopped;
}
