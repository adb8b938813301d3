// The library API: startCluster() in-process and with separate processes, seeds, resumed state, the dev clock.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type LocalCluster, startCluster } from '../../src/index.js';
import { tempDir } from '../helpers/cluster.js';
import { testKeyPair } from '../helpers/keys.js';
import { runLocalhsm } from '../helpers/localhsm.js';

const run = promisify(execFile);
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' };
const SEED = {
  users: [
    { username: 'admin', role: 'admin' as const, password: 'admin-pass-1' },
    {
      username: 'alice',
      role: 'crypto-user' as const,
      password: 'alice-pass-1',
      mfaPublicKey: testKeyPair('alice').publicPem,
    },
  ],
};
const names = (result: { json?: { data: { users: { username: string }[] } } }) =>
  result.json!.data.users.map((u) => u.username);

describe('startCluster (in-process HSMs)', () => {
  let cluster: LocalCluster;
  before(async () => {
    cluster = await startCluster({ hsms: 2, seed: SEED });
  });
  after(() => cluster.stop());

  it('returns the state directory, config, CA, HSMs and the environment for cloudhsm-cli', () => {
    assert.ok(fs.existsSync(path.join(cluster.stateDir, 'cluster.json')));
    assert.equal(cluster.configPath, path.join(cluster.stateDir, 'cloudhsm-cli.cfg'));
    const config = JSON.parse(fs.readFileSync(cluster.configPath, 'utf8'));
    assert.deepEqual(
      config.clusters[0].cluster.servers.map((s: { port: number }) => s.port),
      cluster.hsms.map((h) => h.port),
    );
    assert.equal(config.clusters[0].cluster.hsm_ca_file, cluster.caPath);
    assert.match(cluster.clusterId, /^cluster-[a-z2-7]{11}$/);
    assert.equal(cluster.env.LOCALHSM_STATE, cluster.stateDir);
    assert.equal(cluster.env.PATH!.split(path.delimiter)[0], path.dirname(cluster.bin.cloudhsmCli));
  });

  it('cli() runs single commands, logs in from env, and drives the interactive shell from input', async () => {
    const list = await cluster.cli(['user', 'list']);
    assert.equal(list.exitCode, 0);
    assert.deepEqual(names(list), ['admin', 'alice', 'app_user']);
    const created = await cluster.cli(
      ['user', 'create', '--username', 'bob', '--role', 'crypto-user', '--password', 'bob-pass-1'],
      '',
      { env: ADMIN },
    );
    assert.deepEqual(
      { exitCode: created.exitCode, json: created.json },
      { exitCode: 0, json: { error_code: 0, data: { username: 'bob', role: 'crypto-user' } } },
    );
    const denied = await cluster.cli([
      'user',
      'create',
      '--username',
      'carol',
      '--role',
      'crypto-user',
      '--password',
      'carol-pass-1',
    ]);
    assert.deepEqual(
      { exitCode: denied.exitCode, json: denied.json },
      { exitCode: 1, json: { error_code: 1, data: 'You must be logged in to perform this operation' } },
    );
    const shell = await cluster.cli(
      ['interactive'],
      'login --username bob --role crypto-user --password bob-pass-1\nlogout\nquit\n',
    );
    assert.equal(shell.exitCode, 0);
    assert.equal(shell.json, undefined, 'several envelopes: json is only set for one');
    assert.match(shell.stdout, /"data": "Logout successful"/);
    const usage = await cluster.cli(['user', 'create']);
    assert.equal(usage.exitCode, 2);
    assert.match(usage.stderr, /^error: the following required arguments were not provided:/);
  });

  it("the environment runs the cloudhsm-cli executable (and a user's shell script) against the cluster", async () => {
    const { stdout } = await run('bash', ['-c', 'cloudhsm-cli user list'], {
      env: { ...process.env, ...cluster.env },
    });
    assert.deepEqual(names({ json: JSON.parse(stdout) }), ['admin', 'alice', 'bob', 'app_user']);
  });

  it('stops and starts one HSM', async () => {
    await cluster.stopHsm(1);
    const partial = await cluster.cli(['user', 'list']);
    assert.equal(partial.exitCode, 0);
    assert.match(
      partial.stderr,
      new RegExp(`^warning: HSM at 127\\.0\\.0\\.1:${cluster.hsms[1]!.port} did not answer`),
    );
    await cluster.startHsm(1);
    assert.equal((await cluster.cli(['user', 'list'])).stderr, '');
  });

  it('advanceTime is refused on a cluster created without devClock', async () => {
    await assert.rejects(cluster.advanceTime('10m'), { code: 'ERR_DEV_CLOCK_OFF' });
  });
});

describe('startCluster options', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('processes: true runs each HSM and cloudhsm-cli as processes, and stop() ends them and deletes the temporary state', async () => {
    const cluster = await startCluster({ hsms: 2, processes: true, seed: SEED, devClock: true });
    const pids = cluster.hsms.map((h) =>
      Number(fs.readFileSync(path.join(cluster.stateDir, 'hsms', h.id, 'node.pid'), 'utf8')),
    );
    try {
      assert.ok(pids.every((pid) => pid !== process.pid && isAlive(pid)));
      const list = await cluster.cli(['user', 'list']);
      assert.deepEqual(names(list), ['admin', 'alice', 'app_user']);
      const login = await cluster.cli(['logout'], undefined, { env: ADMIN });
      assert.deepEqual(login.json, { error_code: 0, data: 'Logout successful' });
      await cluster.advanceTime('2h');
      const shown = await runLocalhsm(['time', 'show', '--state', cluster.stateDir]);
      assert.match(shown.stdout, /\(system clock \+ 2h\) on 2 HSM\(s\)\.\n$/);
      await cluster.resetTime();
      await cluster.stopHsm(0);
      assert.ok(!isAlive(pids[0]!));
      await cluster.startHsm(0);
    } finally {
      await cluster.stop();
      await cluster.stop();
    }
    assert.equal(fs.existsSync(cluster.stateDir), false);
    assert.ok(pids.slice(1).every((pid) => !isAlive(pid)));
  });

  it('a given state directory is kept by stop() and resumed next time; a seed that does not match is refused', async () => {
    const state = path.join(tempDir('localhsm-lib-'), 'state');
    dirs.push(path.dirname(state));
    const first = await startCluster({ state, hsms: 1, seed: SEED });
    await first.cli(
      ['user', 'create', '--username', 'bob', '--role', 'crypto-user', '--password', 'bob-pass-1'],
      '',
      { env: ADMIN },
    );
    await first.stop();
    assert.ok(fs.existsSync(path.join(state, 'cluster.json')));
    const again = await startCluster({ state, seed: SEED, hsms: 3 });
    try {
      assert.equal(again.clusterId, first.clusterId);
      assert.deepEqual(names(await again.cli(['user', 'list'])), ['admin', 'alice', 'bob', 'app_user']);
    } finally {
      await again.stop();
    }
    await assert.rejects(
      startCluster({
        state,
        seed: { users: [...SEED.users, { username: 'dave', role: 'admin', password: 'dave-pass-1' }] },
      }),
      {
        code: 'ERR_SEED_MISMATCH',
        message: `The cluster in ${state} does not match the seed <seed>: user dave is missing; nothing was changed`,
      },
    );
  });

  it('a bad seed is refused before any state exists', async () => {
    const state = path.join(tempDir('localhsm-lib-'), 'never');
    dirs.push(path.dirname(state));
    await assert.rejects(
      startCluster({
        state,
        seed: { users: [{ username: 'admin', role: 'officer' as 'admin', password: 'admin-pass-1' }] },
      }),
      {
        code: 'ERR_SEED_INVALID',
        message: "<seed>: users[0].role: invalid value 'officer' (expected admin or crypto-user)",
      },
    );
    assert.equal(fs.existsSync(state), false);
  });
});
