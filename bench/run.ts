// npm run bench: every figure as a ratio to a baseline measured in the same run; writes bench/results.json and docs/benchmarks.md.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterClient } from '../src/cluster/cluster.js';
import { readConfig, selectCluster } from '../src/cluster/config.js';
import { HsmConnection } from '../src/cluster/connection.js';
import { RawClient } from './raw-client.js';
import { benchKeyCreation, benchKeyList, benchSignThroughput } from './keys.js';
import { type IssuedToken, changeMfaTokenSign, loginWithMfa } from '../src/cluster/mfa.js';
import { listUsers, loginCluster, logoutCluster } from '../src/cluster/operations.js';
import { publicKeyPemOf, signUnsigned } from '../src/tokens/private-key.js';
import { paths, readManifest } from '../src/cluster/state-dir.js';
import { KDF_PROFILES, hashPassword } from '../src/hsm/password.js';
import { newUser } from '../src/hsm/provision.js';
import { SqliteStore } from '../src/hsm/store/sqlite.js';
import { createCluster, startNodes, stopNodes } from '../src/localhsm/cluster-manager.js';
import { signToken, parseTokenSignPublicKey, verifyTokenSignature } from '../src/tokens/token-sign.js';
import {
  alternate,
  median,
  opensslRsa2048VerifyPerSecond,
  runProcess,
  throughput,
  timeMedian,
} from './measure.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = (name: string) => path.join(ROOT, 'bin', name);
const ADMIN_PASSWORD = 'bench-admin-1';

interface Result {
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  ratio: number;
  goal: string;
  met: boolean | null;
}
const results: Result[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);

function record(
  r: Omit<Result, 'ratio' | 'met'> & { ratio?: number },
  check?: (ratio: number) => boolean,
): void {
  const ratio = r.ratio ?? r.value / r.baselineValue;
  const full = { ...r, ratio, met: check ? check(ratio) : null };
  results.push(full);
  log(
    `  ${full.name}: ${fmt(full.value)} ${full.unit} vs ${full.baseline} ${fmt(full.baselineValue)} -> ratio ${fmt(ratio)} ${full.goal}${full.met === null ? '' : full.met ? ' (met)' : ' (MISSED)'}`,
  );
}
const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(3));

async function newCluster(hsms: number, kdf: 'fast' | 'strong' = 'fast'): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-bench-'));
  await createCluster(dir, { hsms, kdf, basePort: 0 });
  await startNodes(dir, { detach: true });
  const entry = selectCluster(readConfig(paths(dir).config), paths(dir).config, undefined);
  const client = new ClusterClient(entry);
  await client.fanOut('cluster-activate', { password: ADMIN_PASSWORD });
  client.close();
  return dir;
}

async function dropCluster(dir: string): Promise<void> {
  await stopNodes(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

function clientFor(dir: string): ClusterClient {
  return new ClusterClient(selectCluster(readConfig(paths(dir).config), paths(dir).config, undefined));
}

async function benchVerifier(): Promise<void> {
  log('1. token verification vs openssl speed rsa2048 verify');
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = parseTokenSignPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const token = crypto.randomBytes(32);
  const signature = signToken(privateKey, token);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < 3; i++) {
    ours.push(throughput(3, () => verifyTokenSignature(key, token, signature)));
    theirs.push(opensslRsa2048VerifyPerSecond(3));
  }
  record(
    {
      name: 'token verify',
      value: Math.max(...ours),
      unit: 'verify/s',
      baseline: 'openssl speed rsa2048',
      baselineValue: Math.max(...theirs),
      goal: 'goal >= 0.85',
    },
    (r) => r >= 0.85,
  );
}

async function mfaUserCluster(
  hsms: number,
  key: crypto.KeyObject,
): Promise<{ dir: string; client: ClusterClient }> {
  const dir = await newCluster(hsms);
  const client = clientFor(dir);
  await loginCluster(client, { username: 'admin', role: 'admin', password: ADMIN_PASSWORD }, log);
  await client.fanOut('user-create', { username: 'mfa_user', role: 'crypto-user', password: 'mfa-user-pw' });
  const sign = (issued: readonly IssuedToken[]) =>
    issued.map((t, i) => ({
      unsigned: t.unsigned,
      signature: signUnsigned(key, Buffer.from(t.unsigned, 'base64')),
      index: i + 1,
      total: issued.length,
    }));
  const publicKey = publicKeyPemOf(key);
  await changeMfaTokenSign(
    client,
    { username: 'mfa_user', role: 'crypto-user', password: 'mfa-user-pw', changeQuorum: false },
    async (issued) => ({ signatures: sign(issued), publicKey }),
    log,
  );
  await logoutCluster(client, log);
  return { dir, client };
}

async function benchMfaLogin(): Promise<void> {
  log('2. password + MFA login, 3 HSMs vs 1 HSM (client-side token signing timed apart)');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const one = await mfaUserCluster(1, privateKey);
  const three = await mfaUserCluster(3, privateKey);
  // The client signs one token per HSM (an RSA-2048 signature each): timed apart, so that the HSM side
  // of the fan-out can be read on its own.
  let signingMs = 0;
  const sign = async (issued: readonly IssuedToken[]) => {
    const start = process.hrtime.bigint();
    const signed = issued.map((t, i) => ({
      unsigned: t.unsigned,
      signature: signUnsigned(privateKey, Buffer.from(t.unsigned, 'base64')),
      index: i + 1,
      total: issued.length,
    }));
    signingMs += Number(process.hrtime.bigint() - start) / 1e6;
    return signed;
  };
  const whole: Record<number, number[]> = { 1: [], 3: [] };
  const withoutSigning: Record<number, number[]> = { 1: [], 3: [] };
  const loginOnce = (client: ClusterClient, hsms: 1 | 3) => async () => {
    signingMs = 0;
    const start = process.hrtime.bigint();
    await loginWithMfa(
      client,
      { username: 'mfa_user', role: 'crypto-user', password: 'mfa-user-pw' },
      sign,
      log,
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    whole[hsms]!.push(ms);
    withoutSigning[hsms]!.push(ms - signingMs);
    await logoutCluster(client, log);
    return ms;
  };
  try {
    await loginOnce(three.client, 3)();
    await loginOnce(one.client, 1)();
    whole[1] = [];
    whole[3] = [];
    withoutSigning[1] = [];
    withoutSigning[3] = [];
    await alternate(21, loginOnce(three.client, 3), loginOnce(one.client, 1));
    record(
      {
        name: 'password + MFA login, 3 HSMs (incl. client signing)',
        value: median(whole[3]!),
        unit: 'ms',
        baseline: '1 HSM',
        baselineValue: median(whole[1]!),
        goal: 'goal <= 1.3',
      },
      (r) => r <= 1.3,
    );
    record({
      name: 'password + MFA login, 3 HSMs (client signing excluded)',
      value: median(withoutSigning[3]!),
      unit: 'ms',
      baseline: '1 HSM',
      baselineValue: median(withoutSigning[1]!),
      goal: 'reported',
    });
  } finally {
    for (const c of [one, three]) {
      c.client.close();
      await dropCluster(c.dir);
    }
  }
}

async function benchCliProcess(dir: string): Promise<void> {
  log('3. cloudhsm-cli user list (whole process) vs node -e 0');
  const env = { ...process.env, LOCALHSM_STATE: dir };
  const [cli, bare] = await alternate(
    15,
    () => runProcess(process.execPath, [BIN('cloudhsm-cli'), 'user', 'list'], env),
    () => runProcess(process.execPath, ['-e', '0']),
  );
  record(
    {
      name: 'cloudhsm-cli user list process',
      value: cli,
      unit: 'ms',
      baseline: 'node -e 0',
      baselineValue: bare,
      goal: 'goal <= 3',
    },
    (r) => r <= 3,
  );
}

async function benchUp(): Promise<void> {
  log('4. localhsm up --hsms 3 --detach (to all answering) vs node -e 0');
  const dirs: string[] = [];
  const [up, bare] = await alternate(
    5,
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-bench-up-'));
      dirs.push(dir);
      return runProcess(process.execPath, [
        BIN('localhsm'),
        'up',
        '--hsms',
        '3',
        '--detach',
        '--kdf',
        'fast',
        '--base-port',
        '0',
        '--state',
        dir,
      ]);
    },
    () => runProcess(process.execPath, ['-e', '0']),
  );
  for (const dir of dirs) await dropCluster(dir);
  record(
    {
      name: 'localhsm up --hsms 3 --detach',
      value: up,
      unit: 'ms',
      baseline: 'node -e 0',
      baselineValue: bare,
      goal: 'goal <= 8',
    },
    (r) => r <= 8,
  );
}

/** The password hash every seeded user holds (the KDF profile of the bench's clusters). */
const seededUserHash = () => hashPassword('bench-user-pw', KDF_PROFILES.fast);

/** Puts `count` crypto users straight into every HSM's state (the node's 1,024 limit is for the CLI path). */
async function seedUsers(dir: string, count: number): Promise<void> {
  await stopNodes(dir);
  const hash = await seededUserHash();
  for (const hsm of readManifest(dir).hsms) {
    const store = new SqliteStore(paths(dir).hsm(hsm.id).db);
    const existing = store.countUsers() - BUILT_IN_USERS;
    store.transaction(() => {
      for (let i = existing; i < count; i++)
        store.insertUser({ ...newUser(`user_${i}`, 'crypto-user'), passwordHash: hash });
    });
    store.database.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
  }
  await startNodes(dir, { detach: true });
}

/** Every HSM holds admin and app_user from the start: a list is never empty. */
const BUILT_IN_USERS = 2;

async function benchUserListScaling(dir: string): Promise<void> {
  log('5. user list on 3 HSMs with only the 2 built-in users, then 1,024 / 10,000 / 100,000 users');
  const timings = new Map<number, number>();
  // The two small lists are timed alternately on two clusters, so that machine noise hits both alike.
  const small = await newCluster(3);
  try {
    await seedUsers(small, 1024);
    const builtIn = clientFor(dir);
    const seeded = clientFor(small);
    await listUsers(builtIn, log);
    await listUsers(seeded, log);
    const time = (client: ClusterClient) => () => timeMedian(1, () => listUsers(client, log));
    const [t0, t1024] = await alternate(31, time(builtIn), time(seeded));
    timings.set(0, t0);
    timings.set(1024, t1024);
    builtIn.close();
    seeded.close();
  } finally {
    await dropCluster(small);
  }
  for (const count of [10_000, 100_000]) {
    await seedUsers(dir, count);
    const client = clientFor(dir);
    await listUsers(client, log);
    timings.set(count, await timeMedian(count >= 100_000 ? 3 : 7, () => listUsers(client, log)));
    client.close();
  }
  for (const [count, ms] of timings) log(`   ${count} users besides the built-in ones: ${fmt(ms)} ms`);
  record(
    {
      name: 'user list 1,024 users',
      value: timings.get(1024)!,
      unit: 'ms',
      baseline: 'only the 2 built-in users',
      baselineValue: timings.get(0)!,
      goal: 'goal <= 5',
    },
    (r) => r <= 5,
  );
  record(
    {
      name: 'user list growth 10k / 1k',
      value: timings.get(10_000)!,
      unit: 'ms',
      baseline: '1,024 users',
      baselineValue: timings.get(1024)!,
      goal: 'goal <= 12',
    },
    (r) => r <= 12,
  );
  record(
    {
      name: 'user list growth 100k / 10k',
      value: timings.get(100_000)!,
      unit: 'ms',
      baseline: '10,000 users',
      baselineValue: timings.get(10_000)!,
      goal: 'goal <= 12',
    },
    (r) => r <= 12,
  );
}

async function benchConsoleUsers(): Promise<void> {
  log(
    '5b. console users x HSMs page (HTTP, rendered) vs cloudhsm-cli user list (in process), 1,024 users on 3 HSMs',
  );
  const dir = await newCluster(3);
  const { startConsole } = await import('../src/console/server.js');
  const web = await startConsole({
    stateDir: dir,
    control: { stop: async () => false, start: async () => {} },
  });
  try {
    await seedUsers(dir, 1024);
    const login = await fetch(web.url, { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const page = async () => {
      const res = await fetch(`${web.origin}/users`, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`console /users answered ${res.status}`);
      return res.text();
    };
    const client = clientFor(dir);
    const rows = (await page()).split('<tr data-user=').length - 1;
    if (rows !== 1024 + BUILT_IN_USERS) throw new Error(`console /users shows ${rows} users`);
    await listUsers(client, log);
    const [console_, cli] = await alternate(
      31,
      () => timeMedian(1, page),
      () => timeMedian(1, () => listUsers(client, log)),
    );
    client.close();
    record(
      {
        name: 'console users x HSMs page, 1,024 users',
        value: console_,
        unit: 'ms',
        baseline: 'cloudhsm-cli user list (in process, same data)',
        baselineValue: cli,
        goal: 'goal <= 2',
      },
      (r) => r <= 2,
    );
  } finally {
    await web.close();
    await dropCluster(dir);
  }
}

async function benchMemory(dir: string): Promise<void> {
  log('7. peak RSS of a node holding 100,000 users after listing them; state file size per user');
  await seedUsers(dir, 100_000);
  const client = clientFor(dir);
  for (let i = 0; i < 3; i++) await listUsers(client, log);
  client.close();
  const hsm = readManifest(dir).hsms[0]!;
  const pid = fs.readFileSync(paths(dir).hsm(hsm.id).pid, 'utf8').trim();
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
  const bareKb = nodeBaselineRssKb();
  record({
    name: 'node peak RSS, 100k users',
    value: peakKb / 1024,
    unit: 'MiB',
    baseline: 'bare node process',
    baselineValue: bareKb / 1024,
    goal: 'reported',
  });
  const files = paths(dir).hsm(hsm.id);
  const bytes = [files.db, `${files.db}-wal`].reduce(
    (sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0),
    0,
  );
  record({
    name: 'state file per user',
    value: bytes / (100_000 + BUILT_IN_USERS),
    unit: 'bytes',
    baseline: 'password hash string',
    baselineValue: Buffer.byteLength(await seededUserHash()),
    goal: 'reported',
  });
}

function nodeBaselineRssKb(): number {
  const script =
    "setTimeout(() => console.log(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]), 50)";
  return Number(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout.trim());
}

/**
 * Requests per second from `concurrency` connections, each logged in first, each with one request in
 * flight: the requests answered before the deadline, over the time from the start to the last of them.
 */
async function loadRps(
  port: number,
  ca: string,
  op: 'user-list' | 'login',
  seconds: number,
  concurrency = 16,
): Promise<number> {
  const clients = await Promise.all(Array.from({ length: concurrency }, () => RawClient.connect(port, ca)));
  const credentials = { username: 'admin', role: 'admin', password: ADMIN_PASSWORD };
  if (op === 'user-list') await Promise.all(clients.map((c) => c.request('login', credentials)));
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const start = now();
  const end = start + seconds * 1000;
  let done = 0;
  let last = start;
  const answered = (count: number) => {
    const t = now();
    if (t > end) return false;
    done += count;
    last = t;
    return true;
  };
  await Promise.all(
    clients.map(async (c) => {
      for (;;) {
        if (op === 'login') {
          await c.request('login', credentials);
          await c.request('logout', {});
          if (!answered(2)) return;
        } else {
          await c.request('user-list', {});
          if (!answered(1)) return;
        }
      }
    }),
  );
  for (const c of clients) c.close();
  return done / ((last - start) / 1000);
}

async function benchLoad(): Promise<void> {
  log('6. one node under concurrent load vs a bare TLS echo server');
  const dir = await newCluster(1);
  const hsm = readManifest(dir).hsms[0]!;
  const ca = fs.readFileSync(paths(dir).ca, 'utf8');
  const files = paths(dir).hsm(hsm.id);
  // Port 0: the echo server takes a free port from the OS and prints it.
  const echo = spawn(
    process.execPath,
    [path.join(ROOT, 'dist/bench/echo-server.js'), files.cert, files.key, '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const echoPort = await new Promise<number>((resolve) =>
    echo.stdout!.once('data', (chunk: Buffer) => resolve(Number(/^ready (\d+)/.exec(chunk.toString())![1]))),
  );
  try {
    const echoRps = median([
      await loadRps(echoPort, ca, 'user-list', 3),
      await loadRps(echoPort, ca, 'user-list', 3),
    ]);
    const listRps = median([
      await loadRps(hsm.port, ca, 'user-list', 3),
      await loadRps(hsm.port, ca, 'user-list', 3),
    ]);
    const loginRps = await loadRps(hsm.port, ca, 'login', 3);
    record({
      name: 'node: authenticated-session user list',
      value: listRps,
      unit: 'req/s',
      baseline: 'TLS echo server',
      baselineValue: echoRps,
      goal: 'reported',
    });
    record({
      name: 'node: login + logout (fast KDF)',
      value: loginRps,
      unit: 'req/s',
      baseline: 'TLS echo server',
      baselineValue: echoRps,
      goal: 'reported',
    });
  } finally {
    echo.kill('SIGTERM');
    await dropCluster(dir);
  }
}

async function benchKdf(): Promise<void> {
  log('8. the password KDF on its own, and its share of a login');
  const strong = await timeMedian(5, () => hashPassword('some-password-1', KDF_PROFILES.strong));
  const fast = await timeMedian(21, () => hashPassword('some-password-1', KDF_PROFILES.fast));
  record({
    name: 'scrypt strong vs fast',
    value: strong,
    unit: 'ms',
    baseline: 'fast profile',
    baselineValue: fast,
    goal: 'reported',
  });
  for (const kdf of ['fast', 'strong'] as const) {
    const dir = await newCluster(1, kdf);
    const hsm = readManifest(dir).hsms[0]!;
    const c = new HsmConnection(
      { hostname: hsm.host, port: hsm.port },
      fs.readFileSync(paths(dir).ca, 'utf8'),
    );
    const login = await timeMedian(kdf === 'fast' ? 21 : 7, async () => {
      await c.call('login', { username: 'admin', role: 'admin', password: ADMIN_PASSWORD });
      await c.call('logout', {});
    });
    c.close();
    await dropCluster(dir);
    const kdfMs = kdf === 'fast' ? fast : strong;
    record({
      name: `KDF share of a login (${kdf})`,
      value: kdfMs,
      unit: 'ms',
      baseline: 'login + logout round trip',
      baselineValue: login,
      goal: 'reported',
    });
  }
}

function writeReports(): void {
  const when = new Date().toISOString();
  fs.writeFileSync(
    path.join(ROOT, 'bench/results.json'),
    JSON.stringify({ when, cpus: os.cpus().length, node: process.version, results }, null, 2) + '\n',
  );
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.baseline}: ${fmt(r.baselineValue)} | **${fmt(r.ratio)}** | ${r.goal}${r.met === null ? '' : r.met ? ' ✔' : ' ✘'} |`,
  );
  const doc = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (writes `bench/results.json` and this page). Every figure is a ratio to a',
    'baseline measured in the same run on the same machine; absolute numbers on a shared machine mean little.',
    `Last run: ${when}, ${os.cpus().length} CPUs, Node ${process.version}.`,
    '',
    '| benchmark | value | baseline | ratio | goal |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), doc);
}

const only = process.argv[2];
const shared = await newCluster(3);
try {
  if (!only || only === 'verify') await benchVerifier();
  if (!only || only === 'mfa') await benchMfaLogin();
  if (!only || only === 'cli') await benchCliProcess(shared);
  if (!only || only === 'up') await benchUp();
  if (!only || only === 'users') await benchUserListScaling(shared);
  if (!only || only === 'console') await benchConsoleUsers();
  if (!only || only === 'memory') await benchMemory(shared);
  if (!only || only === 'load') await benchLoad();
  if (!only || only === 'kdf') await benchKdf();
  if (!only || only === 'sign') await benchSignThroughput(record, log);
  if (!only || only === 'key-list') await benchKeyList(record, log);
  if (!only || only === 'key-create') await benchKeyCreation(record, log);
} finally {
  await dropCluster(shared);
}
console.log(
  [
    'benchmark\tvalue\tbaseline\tratio\tgoal',
    ...results.map(
      (r) =>
        `${r.name}\t${fmt(r.value)} ${r.unit}\t${r.baseline} ${fmt(r.baselineValue)}\t${fmt(r.ratio)}\t${r.goal}${r.met === null ? '' : r.met ? ' met' : ' MISSED'}`,
    ),
  ].join('\n'),
);
if (!only) writeReports();
