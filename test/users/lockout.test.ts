// Lock-out: 5 consecutive failed logins lock a user on each HSM that saw them; a success resets the
// count; an admin's change-password unlocks. Unknown user, wrong role and wrong password look alike.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { envelopes } from '../helpers/envelopes.js';
import { NODE_ADMIN_PASSWORD, makeNode, type TestNode } from '../helpers/node.js';

const PW = 'right-pass-1';
const WRONG = 'wrong-pass-1';
const LOGIN_FAILED = {
  code: 'ERR_LOGIN_FAILED',
  message: 'Incorrect authentication credentials',
  params: {},
};
const lockedMessage = (u: string) =>
  `User ${u} is locked after too many failed login attempts; an admin can unlock it with user change-password`;

describe('lock-out on one HSM', () => {
  let t: TestNode;
  before(async () => {
    t = await makeNode({ activated: true });
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    for (const u of ['alice', 'bob', 'carol'])
      assert.ok((await t.send(admin, 'user-create', { username: u, role: 'crypto-user', password: PW })).ok);
    t.node.closeSession(admin);
  });

  async function attempt(username: string, password: string, role = 'crypto-user') {
    const session = t.node.openSession();
    try {
      const reply = await t.send(session, 'login', { username, role, password });
      return reply.ok ? { ok: true } : reply.error;
    } finally {
      t.node.closeSession(session);
    }
  }
  const lockedInList = async (username: string) => {
    const reply = await t.send(t.node.openSession(), 'user-list', {});
    assert.ok(reply.ok);
    return (reply.result as { users: { username: string; locked: boolean }[] }).users.find(
      (u) => u.username === username,
    )!.locked;
  };

  it('locks exactly at the 5th consecutive failure; the 4th leaves the user unlocked', async () => {
    for (let i = 1; i <= 4; i++) assert.deepEqual(await attempt('alice', WRONG), LOGIN_FAILED);
    assert.equal(t.store.getUser('alice')!.failedLogins, 4);
    assert.equal(await lockedInList('alice'), false);
    assert.deepEqual(
      await attempt('alice', WRONG),
      LOGIN_FAILED,
      'the 5th failure still reads as a wrong password',
    );
    assert.equal(await lockedInList('alice'), true);
  });

  it('a locked user cannot log in, even with the right password', async () => {
    assert.deepEqual(await attempt('alice', PW), {
      code: 'ERR_USER_LOCKED',
      message: lockedMessage('alice'),
      params: { username: 'alice' },
    });
    assert.deepEqual(await attempt('alice', WRONG), {
      code: 'ERR_USER_LOCKED',
      message: lockedMessage('alice'),
      params: { username: 'alice' },
    });
    assert.equal(t.store.getUser('alice')!.locked, true);
  });

  it("an admin's change-password unlocks and resets the count", async () => {
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    const reply = await t.send(admin, 'user-change-password', {
      username: 'alice',
      role: 'crypto-user',
      password: 'new-pass-22',
    });
    assert.deepEqual(reply.ok && reply.result, { username: 'alice', role: 'crypto-user' });
    t.node.closeSession(admin);
    assert.deepEqual(
      { locked: t.store.getUser('alice')!.locked, failed: t.store.getUser('alice')!.failedLogins },
      { locked: false, failed: 0 },
    );
    assert.deepEqual(await attempt('alice', PW), LOGIN_FAILED, 'the old password is gone');
    assert.deepEqual(await attempt('alice', 'new-pass-22'), { ok: true });
  });

  it('a success resets the count: 4 failures, 1 success, 4 failures leave the user unlocked; one more locks', async () => {
    for (let i = 0; i < 4; i++) await attempt('bob', WRONG);
    assert.deepEqual(await attempt('bob', PW), { ok: true });
    assert.equal(t.store.getUser('bob')!.failedLogins, 0);
    for (let i = 0; i < 4; i++) assert.deepEqual(await attempt('bob', WRONG), LOGIN_FAILED);
    assert.equal(await lockedInList('bob'), false);
    await attempt('bob', WRONG);
    assert.equal(await lockedInList('bob'), true);
  });

  it('an unknown user, a wrong role and a wrong password get the same error, and leave no trace', async () => {
    const unknown = await attempt('nobody_here', WRONG);
    const wrongRole = await attempt('carol', PW, 'admin');
    const wrongPassword = await attempt('carol', WRONG);
    assert.deepEqual(unknown, LOGIN_FAILED);
    assert.deepEqual(wrongRole, LOGIN_FAILED);
    assert.deepEqual(wrongPassword, LOGIN_FAILED);
    assert.equal(t.store.getUser('nobody_here'), undefined);
  });
});

describe('lock-out across a 3-HSM cluster, through the CLI', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster();
    for (const u of ['dave', 'erin', 'frank']) {
      const run = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
        'user',
        'create',
        '--username',
        u,
        '--role',
        'crypto-user',
        '--password',
        PW,
      ]);
      assert.equal(run.json?.error_code, 0);
    }
  });
  after(() => cluster.close());

  const login = (username: string, password: string) =>
    cluster.cli(['login', '--username', username, '--role', 'crypto-user', '--password', password]);
  async function row(username: string) {
    const run = await cluster.cli(['user', 'list']);
    return (run.json!.data.users as { username: string; locked: string; 'cluster-coverage': string }[]).find(
      (u) => u.username === username,
    )!;
  }

  it('5 consecutive failures lock the user on every HSM ("locked": "true"); 4 do not', async () => {
    for (let i = 1; i <= 4; i++) {
      const run = await login('dave', WRONG);
      assert.deepEqual(
        { exit: run.exitCode, json: run.json },
        { exit: 1, json: { error_code: 1, data: 'Incorrect authentication credentials' } },
      );
    }
    assert.equal((await row('dave')).locked, 'false');
    const fifth = await login('dave', WRONG);
    assert.deepEqual(fifth.json, { error_code: 1, data: 'Incorrect authentication credentials' });
    assert.deepEqual(await row('dave'), {
      username: 'dave',
      role: 'crypto-user',
      locked: 'true',
      mfa: [],
      quorum: [],
      'cluster-coverage': 'full',
    });

    const right = await login('dave', PW);
    assert.deepEqual(
      { exit: right.exitCode, json: right.json },
      { exit: 1, json: { error_code: 1, data: lockedMessage('dave') } },
    );
  });

  it("an admin's user change-password unlocks the user on every HSM", async () => {
    const run = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'change-password',
      '--username',
      'dave',
      '--role',
      'crypto-user',
      '--password',
      'dave-new-pass',
    ]);
    assert.deepEqual(run.json, { error_code: 0, data: { username: 'dave', role: 'crypto-user' } });
    assert.equal((await row('dave')).locked, 'false');
    assert.deepEqual((await login('dave', 'dave-new-pass')).json, {
      error_code: 0,
      data: { username: 'dave', role: 'crypto-user' },
    });
  });

  it('a success resets the count: 4 failures, 1 success, 4 failures -> still unlocked', async () => {
    for (let i = 0; i < 4; i++) await login('erin', WRONG);
    assert.equal((await login('erin', PW)).json?.error_code, 0);
    for (let i = 0; i < 4; i++) await login('erin', WRONG);
    assert.equal((await row('erin')).locked, 'false');
    await login('erin', WRONG);
    assert.equal((await row('erin')).locked, 'true');
  });

  it('the count is per HSM: failures while one HSM is down lock the user only on the others', async () => {
    await cluster.stopNode(2);
    try {
      for (let i = 0; i < 5; i++)
        assert.equal((await login('frank', WRONG)).json?.data, 'Incorrect authentication credentials');
    } finally {
      await cluster.startNode(2);
    }
    assert.equal((await row('frank')).locked, 'inconsistent');
    const run = await login('frank', PW);
    const [a, b] = cluster.manifest.hsms.map((h) => `${h.host}:${h.port}`);
    assert.deepEqual(
      { exit: run.exitCode, json: run.json, stderr: run.stderr },
      {
        exit: 1,
        json: { error_code: 1, data: 'Login failed on 2 of 3 connections' },
        stderr: `warning: HSM at ${a} refused: ${lockedMessage('frank')}\nwarning: HSM at ${b} refused: ${lockedMessage('frank')}\n`,
      },
    );
    // The HSM that accepted the password was logged out again: in the same shell, no HSM has frank logged in.
    const shell = await cluster.cli(['interactive'], {
      input: `login --username frank --role crypto-user --password ${PW}\nlogout\n`,
    });
    assert.deepEqual(envelopes(shell.stdout), [
      { error_code: 1, data: 'Login failed on 2 of 3 connections' },
      { error_code: 1, data: 'You must be logged in to perform this operation' },
    ]);

    const unlock = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'change-password',
      '--username',
      'frank',
      '--role',
      'crypto-user',
      '--password',
      PW,
    ]);
    assert.equal(unlock.json?.error_code, 0);
    assert.equal((await row('frank')).locked, 'false');
    assert.equal((await login('frank', PW)).json?.error_code, 0);
  });

  it('an unknown user and a wrong password give the same error text', async () => {
    const unknown = await login('nobody_here', WRONG);
    const wrong = await login('frank', WRONG);
    const wrongPassword = await cluster.cli([
      'login',
      '--username',
      'admin',
      '--role',
      'admin',
      '--password',
      WRONG,
    ]);
    for (const run of [unknown, wrong, wrongPassword]) {
      assert.deepEqual(
        { exit: run.exitCode, json: run.json, stderr: run.stderr },
        {
          exit: 1,
          json: { error_code: 1, data: 'Incorrect authentication credentials' },
          stderr: '',
        },
      );
    }
  });
});
