// Cloned clusters with real processes: backup restore makes a clone, one config holds both, user replicate copies a user.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readConfig } from '../../src/cluster/config.js';
import { type ClusterManifest, paths, readManifest } from '../../src/cluster/state-dir.js';
import { readSetting } from '../../src/hsm/settings.js';
import { SqliteStore } from '../../src/hsm/store/sqlite.js';
import { writeCliConfig } from '../../src/localhsm/cluster-manager.js';
import { tempDir } from '../helpers/cluster.js';
import { cloudhsmCli, downIfPresent, localhsm, upDetached } from '../helpers/processes.js';

const ADMIN_PASSWORD = 'admin-pass-1';
const SOURCE_ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` };
const BOTH_ADMINS = {
  ...SOURCE_ADMIN,
  DESTINATION_CLOUDHSM_ROLE: 'admin',
  DESTINATION_CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}`,
};

async function ok(run: Promise<{ exitCode: number; stdout: string; stderr: string }>) {
  const r = await run;
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  return r;
}

function familyKey(state: string, manifest: ClusterManifest): string[] {
  return manifest.hsms.map((h) => {
    const store = new SqliteStore(paths(state).hsm(h.id).db);
    try {
      return readSetting(store, 'clone_family_key');
    } finally {
      store.close();
    }
  });
}

describe('cloned clusters and user replicate (real processes)', () => {
  let root: string;
  let a: string;
  let b: string;
  let c: string;
  let A: ClusterManifest;
  let B: ClusterManifest;
  let C: ClusterManifest;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
    cloudhsmCli(a, args, { env, ...(input !== undefined && { input }) });

  before(async () => {
    root = tempDir('localhsm-replicate-');
    [a, b, c] = ['a', 'b', 'c'].map((n) => path.join(root, n)) as [string, string, string];
    await upDetached(a, 2);
    await upDetached(c, 1);
    for (const state of [a, c])
      await ok(cloudhsmCli(state, ['cluster', 'activate', '--password', ADMIN_PASSWORD]));
    await ok(
      cli(
        ['user', 'create', '--username', 'carol', '--role', 'crypto-user', '--password', 'carol-pass-1'],
        SOURCE_ADMIN,
      ),
    );
    const backup = path.join(root, 'a.bak');
    await ok(localhsm(['backup', 'create', '--out', backup, '--state', a]));
    await ok(
      localhsm([
        ...['backup', 'restore', backup, '--state', b, '--hsms', '2', '--base-port', '0'],
        ...['--key-file', paths(a).backupKey],
      ]),
    );
    await ok(localhsm(['up', '--detach', '--state', b]));
    // Made after the backup: only the source has dave.
    await ok(
      cli(
        ['user', 'create', '--username', 'dave', '--role', 'crypto-user', '--password', 'dave-pass-1'],
        SOURCE_ADMIN,
      ),
    );
    [A, B, C] = [a, b, c].map(readManifest) as [ClusterManifest, ClusterManifest, ClusterManifest];
    await ok(localhsm(['config', 'add-cluster', '--from', b, '--state', a]));
    await ok(localhsm(['config', 'add-cluster', '--from', c, '--state', a]));
  });
  after(async () => {
    for (const state of [a, b, c]) await downIfPresent(state);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('backup restore makes a clone: new cluster and HSM ids, certificates and ports, the same users and clone family', async () => {
    assert.notEqual(B.clusterId, A.clusterId);
    assert.deepEqual(
      B.hsms.filter((h) => A.hsms.some((x) => x.id === h.id || x.port === h.port)),
      [],
    );
    assert.notEqual(fs.readFileSync(paths(b).ca, 'utf8'), fs.readFileSync(paths(a).ca, 'utf8'));
    const users = JSON.parse((await ok(cli(['user', 'list', '--cluster-id', B.clusterId]))).stdout).data
      .users;
    assert.deepEqual(
      users.map((u: { username: string }) => u.username),
      ['admin', 'carol', 'app_user'],
    );
    const [family, ...rest] = [...familyKey(a, A), ...familyKey(b, B)];
    assert.match(family!, /^[0-9a-f]{64}$/);
    assert.deepEqual(rest, [family, family, family]);
    assert.notEqual(familyKey(c, C)[0], family, 'an unrelated cluster has its own family');
  });

  it('one config holds several clusters: --cluster-id selects, none is an error', async () => {
    assert.deepEqual(
      readConfig(paths(a).config).clusters.map((x) => x.cluster_id),
      [A.clusterId, B.clusterId, C.clusterId],
    );
    const none = await cli(['user', 'list']);
    assert.equal(none.exitCode, 1);
    assert.deepEqual(JSON.parse(none.stdout), {
      error_code: 1,
      data: 'multiple clusters provided in configuration file. Please specify cluster-id',
    });
    const info = JSON.parse((await ok(cli(['cluster', 'hsm-info', '--cluster-id', C.clusterId]))).stdout);
    assert.equal(info.data.hsms.length, 1);
    const unknown = await cli(['user', 'list', '--cluster-id', 'cluster-zzzzzzzzzzz']);
    assert.equal(unknown.exitCode, 1);
    assert.match(
      JSON.parse(unknown.stdout).data,
      /^Cluster cluster-zzzzzzzzzzz is not in the configuration file/,
    );
    // interactive --cluster-id sets the shell's default; a command's own --cluster-id overrides it.
    const shell = await ok(
      cloudhsmCli(a, ['interactive', '--cluster-id', C.clusterId], {
        input: `cluster hsm-info\ncluster hsm-info --cluster-id ${A.clusterId}\nquit\n`,
      }),
    );
    const ids = [...shell.stdout.matchAll(/"hsm-id": "(hsm-[a-z2-7]{11})"/g)].map((m) => m[1]);
    assert.deepEqual(
      ids,
      [...C.hsms, ...A.hsms].map((h) => h.id),
      shell.stdout,
    );
    // Writing this cluster's own entry again (an HSM moved) keeps the others.
    writeCliConfig(a, readManifest(a));
    assert.deepEqual(
      readConfig(paths(a).config).clusters.map((x) => x.cluster_id),
      [A.clusterId, B.clusterId, C.clusterId],
    );
  });

  const replicate = (
    username: string,
    source: string,
    destination: string,
    env: NodeJS.ProcessEnv = BOTH_ADMINS,
  ) =>
    cli(
      [
        ...['user', 'replicate', '--username', username, '--role', 'crypto-user'],
        ...['--source-cluster-id', source, '--destination-cluster-id', destination],
      ],
      env,
    );

  it('replicates a user to the clone; it logs in there with the same password', async () => {
    const run = await ok(replicate('dave', A.clusterId, B.clusterId));
    assert.deepEqual(JSON.parse(run.stdout), {
      error_code: 0,
      data: {
        user: {
          username: 'dave',
          role: 'crypto-user',
          locked: 'false',
          mfa: [],
          quorum: [],
          'cluster-coverage': 'full',
        },
        message: 'Successfully replicated user',
      },
    });
    const login = await cli([
      'login',
      '--username',
      'dave',
      '--role',
      'crypto-user',
      '--password',
      'dave-pass-1',
      '--cluster-id',
      B.clusterId,
    ]);
    assert.equal(login.exitCode, 0, login.stdout);
    const wrong = await cli([
      'login',
      '--username',
      'dave',
      '--role',
      'crypto-user',
      '--password',
      'other-pass-1',
      '--cluster-id',
      B.clusterId,
    ]);
    assert.equal(wrong.exitCode, 1);
  });

  it('interactive: logged in to both clusters with --cluster-id', async () => {
    await ok(
      cli(
        [
          'user',
          'create',
          '--username',
          'erin',
          '--role',
          'admin',
          '--password',
          'erin-pass-1',
          '--cluster-id',
          A.clusterId,
        ],
        SOURCE_ADMIN,
      ),
    );
    const script = [
      `login --username admin --role admin --password ${ADMIN_PASSWORD} --cluster-id ${A.clusterId}`,
      `login --username admin --role admin --password ${ADMIN_PASSWORD} --cluster-id ${B.clusterId}`,
      `user replicate --username erin --role admin --source-cluster-id ${A.clusterId} --destination-cluster-id ${B.clusterId}`,
      'quit',
      '',
    ].join('\n');
    const run = await ok(cli(['interactive'], {}, script));
    assert.ok(run.stdout.includes('"message": "Successfully replicated user"'), run.stdout);
    await ok(
      cli([
        'login',
        '--username',
        'erin',
        '--role',
        'admin',
        '--password',
        'erin-pass-1',
        '--cluster-id',
        B.clusterId,
      ]),
    );
  });

  it('refuses: user already there, user missing on the source, no destination login', async () => {
    const again = await replicate('dave', A.clusterId, B.clusterId);
    assert.equal(again.exitCode, 1);
    assert.equal(JSON.parse(again.stdout).data, 'User already exists');
    const missing = await replicate('nobody', A.clusterId, B.clusterId);
    assert.equal(missing.exitCode, 1);
    assert.equal(JSON.parse(missing.stdout).data, 'User nobody does not exist');
    await ok(
      cli(
        [
          'user',
          'create',
          '--username',
          'fay',
          '--role',
          'crypto-user',
          '--password',
          'fay-pass-1',
          '--cluster-id',
          A.clusterId,
        ],
        SOURCE_ADMIN,
      ),
    );
    const noLogin = await replicate('fay', A.clusterId, B.clusterId, SOURCE_ADMIN);
    assert.equal(noLogin.exitCode, 1);
    assert.equal(JSON.parse(noLogin.stdout).data, 'You must be logged in to perform this operation');
  });

  it('refuses a user that differs between the source HSMs (inconsistent)', async () => {
    await ok(
      cli(
        [
          'user',
          'create',
          '--username',
          'gus',
          '--role',
          'crypto-user',
          '--password',
          'gus-pass-1',
          '--cluster-id',
          A.clusterId,
        ],
        SOURCE_ADMIN,
      ),
    );
    // Locked on one HSM only (as a run of failed logins that reached one HSM would leave it).
    const store = new SqliteStore(paths(a).hsm(A.hsms[1]!.id).db);
    try {
      store.updateUser({ ...store.getUser('gus')!, locked: true });
    } finally {
      store.close();
    }
    const run = await replicate('gus', A.clusterId, B.clusterId);
    assert.equal(run.exitCode, 1);
    assert.equal(JSON.parse(run.stdout).data, 'Specified user is inconsistent across the cluster');
    const users = JSON.parse((await ok(cli(['user', 'list', '--cluster-id', B.clusterId]))).stdout).data
      .users;
    assert.ok(!users.some((u: { username: string }) => u.username === 'gus'));
  });

  it('refuses to replicate between clusters that are not clones', async () => {
    const run = await replicate('dave', A.clusterId, C.clusterId);
    assert.equal(run.exitCode, 1);
    assert.equal(
      JSON.parse(run.stdout).data,
      'The source and destination clusters are not clones: user replicate needs clusters created from a common backup (localhsm backup restore)',
    );
    const users = JSON.parse((await ok(cli(['user', 'list', '--cluster-id', C.clusterId]))).stdout).data
      .users;
    assert.ok(!users.some((u: { username: string }) => u.username === 'dave'));
  });
});
