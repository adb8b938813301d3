// User changes with one of three HSMs down: "<Op> failed on 1 of 3 connections", inconsistent coverage,
// and the same command re-run after the HSM returns repairs it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';

describe('user changes with one HSM down', () => {
  let cluster: TestCluster;
  let down: string;
  let unreachable: string;
  before(async () => {
    cluster = await startActivatedCluster();
    const h = cluster.manifest.hsms[2]!;
    down = `${h.host}:${h.port}`;
    unreachable = `warning: HSM at ${down} did not answer (connect ECONNREFUSED ${down})\n`;
  });
  after(() => cluster.close());

  const asAdmin = (args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);
  async function row(username: string) {
    const run = await cluster.cli(['user', 'list']);
    return (run.json!.data.users as { username: string; 'cluster-coverage': string }[]).find(
      (u) => u.username === username,
    );
  }
  const CREATE = [
    'user',
    'create',
    '--username',
    'grace',
    '--role',
    'crypto-user',
    '--password',
    'grace-pass-1',
  ];

  it('user create reports "User create failed on 1 of 3 connections" and exits 1', async () => {
    await cluster.stopNode(2);
    const run = await asAdmin(CREATE);
    assert.deepEqual(
      { exit: run.exitCode, json: run.json, stderr: run.stderr },
      // One warning from the login (CLOUDHSM_PIN), one from the create.
      {
        exit: 1,
        json: { error_code: 1, data: 'User create failed on 1 of 3 connections' },
        stderr: unreachable + unreachable,
      },
    );
  });

  it('user list still answers while the HSM is down, naming it on stderr (coverage is over the HSMs that answered)', async () => {
    const run = await cluster.cli(['user', 'list']);
    assert.equal(run.exitCode, 0);
    assert.equal(run.stderr, unreachable);
    assert.deepEqual(
      run.json!.data.users.map(
        (u: { username: string; 'cluster-coverage': string }) => `${u.username}:${u['cluster-coverage']}`,
      ),
      ['admin:full', 'grace:full', 'app_user:full'],
    );
  });

  it('once the HSM is back, user list shows the user with "cluster-coverage": "inconsistent"', async () => {
    await cluster.startNode(2);
    const run = await cluster.cli(['user', 'list']);
    assert.equal(run.stderr, '');
    assert.deepEqual(await row('grace'), {
      username: 'grace',
      role: 'crypto-user',
      locked: 'false',
      mfa: [],
      quorum: [],
      'cluster-coverage': 'inconsistent',
    });
  });

  it('the same user create command then succeeds and makes the coverage full', async () => {
    const run = await asAdmin(CREATE);
    assert.deepEqual(
      { exit: run.exitCode, json: run.json, stderr: run.stderr },
      { exit: 0, json: { error_code: 0, data: { username: 'grace', role: 'crypto-user' } }, stderr: '' },
    );
    assert.equal((await row('grace'))?.['cluster-coverage'], 'full');
    assert.equal(
      cluster.nodes.every((n) => n!.node.store.getUser('grace') !== undefined),
      true,
    );
  });

  it('a half-done change-password: the old password still works on the missed HSM until the command is re-run', async () => {
    const CHANGE = [
      'user',
      'change-password',
      '--username',
      'grace',
      '--role',
      'crypto-user',
      '--password',
      'grace-pass-2',
    ];
    await cluster.stopNode(2);
    const partial = await asAdmin(CHANGE);
    assert.deepEqual(partial.json, {
      error_code: 1,
      data: 'User change password failed on 1 of 3 connections',
    });
    await cluster.startNode(2);

    const login = await cluster.cli([
      'login',
      '--username',
      'grace',
      '--role',
      'crypto-user',
      '--password',
      'grace-pass-2',
    ]);
    assert.deepEqual(
      { json: login.json, stderr: login.stderr },
      {
        json: { error_code: 1, data: 'Login failed on 1 of 3 connections' },
        stderr: `warning: HSM at ${down} refused: Incorrect authentication credentials\n`,
      },
    );
    const again = await asAdmin(CHANGE);
    assert.deepEqual(again.json, { error_code: 0, data: { username: 'grace', role: 'crypto-user' } });
    const ok = await cluster.cli([
      'login',
      '--username',
      'grace',
      '--role',
      'crypto-user',
      '--password',
      'grace-pass-2',
    ]);
    assert.deepEqual(ok.json, { error_code: 0, data: { username: 'grace', role: 'crypto-user' } });
  });

  it('user delete: partial failure, inconsistent, then the re-run removes the user everywhere', async () => {
    const DELETE = ['user', 'delete', '--username', 'grace', '--role', 'crypto-user'];
    await cluster.stopNode(2);
    const partial = await asAdmin(DELETE);
    assert.deepEqual(
      { exit: partial.exitCode, json: partial.json },
      { exit: 1, json: { error_code: 1, data: 'User delete failed on 1 of 3 connections' } },
    );
    await cluster.startNode(2);
    assert.equal((await row('grace'))?.['cluster-coverage'], 'inconsistent');
    const again = await asAdmin(DELETE);
    assert.deepEqual(
      { exit: again.exitCode, json: again.json },
      { exit: 0, json: { error_code: 0, data: { username: 'grace', role: 'crypto-user' } } },
    );
    assert.equal(await row('grace'), undefined);
    const third = await asAdmin(DELETE);
    assert.deepEqual(third.json, { error_code: 1, data: 'User grace does not exist' });
  });

  it('with every HSM down, user list fails with the first reason', async () => {
    for (const i of [0, 1, 2]) await cluster.stopNode(i);
    try {
      const run = await cluster.cli(['user', 'list']);
      const first = cluster.manifest.hsms[0]!;
      const addr = `${first.host}:${first.port}`;
      assert.equal(run.exitCode, 1);
      assert.deepEqual(run.json, {
        error_code: 1,
        data: `Failed to connect to any HSM of cluster ${cluster.manifest.clusterId}: HSM at ${addr} did not answer (connect ECONNREFUSED ${addr})`,
      });
      // One warning per HSM, then what to do next (issue 15 item 3).
      const lines = run.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 4);
      assert.equal(
        lines[3],
        `hint: no HSM of this cluster answered: run \`localhsm up\` (state: ${cluster.dir})`,
      );
    } finally {
      for (const i of [0, 1, 2]) await cluster.startNode(i);
    }
  });
});
