// The permission matrix of issue 3: each user command x {admin, crypto-user, not logged in} x {self, other},
// through the CLI on a 3-HSM cluster and as a hand-made request straight to HsmNode.handle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { envelopes } from '../helpers/envelopes.js';
import {
  type Actor,
  NEW_PW,
  PW,
  type UserCase,
  UserCaseRunner,
  actorLogin,
  nodeWithFixture,
  ok,
  passwordChanged,
  passwordKept,
  refused,
} from '../helpers/user-cases.js';

interface MatrixCase extends UserCase {
  command: string;
  target: string;
}

const notLoggedIn = () => refused('ERR_NOT_LOGGED_IN', 'You must be logged in to perform this operation');
const denied = (action: string) =>
  refused('ERR_PERMISSION_DENIED', `Permission denied: the crypto-user role cannot ${action}`);

const CASES: MatrixCase[] = [
  // login
  {
    command: 'login',
    actor: 'none',
    target: 'a crypto user',
    line: (f) => `login --username ${f.ocu} --role crypto-user --password ${PW}`,
    wire: (f) => ({ op: 'login', args: { username: f.ocu, role: 'crypto-user', password: PW } }),
    expect: (f) => ok({ username: f.ocu, role: 'crypto-user' }),
  },
  {
    command: 'login',
    actor: 'none',
    target: 'an admin',
    line: (f) => `login --username ${f.oadm} --role admin --password ${PW}`,
    wire: (f) => ({ op: 'login', args: { username: f.oadm, role: 'admin', password: PW } }),
    expect: (f) => ok({ username: f.oadm, role: 'admin' }),
  },
  {
    command: 'login',
    actor: 'admin',
    target: 'self',
    line: (f) => `login --username ${f.adm} --role admin --password ${PW}`,
    wire: (f) => ({ op: 'login', args: { username: f.adm, role: 'admin', password: PW } }),
    expect: (f) => refused('ERR_ALREADY_LOGGED_IN', `User ${f.adm} is already logged in; log out first`),
  },
  {
    command: 'login',
    actor: 'admin',
    target: 'other',
    line: (f) => `login --username ${f.ocu} --role crypto-user --password ${PW}`,
    wire: (f) => ({ op: 'login', args: { username: f.ocu, role: 'crypto-user', password: PW } }),
    expect: (f) => refused('ERR_ALREADY_LOGGED_IN', `User ${f.adm} is already logged in; log out first`),
  },
  {
    command: 'login',
    actor: 'crypto-user',
    target: 'self',
    line: (f) => `login --username ${f.cu} --role crypto-user --password ${PW}`,
    wire: (f) => ({ op: 'login', args: { username: f.cu, role: 'crypto-user', password: PW } }),
    expect: (f) => refused('ERR_ALREADY_LOGGED_IN', `User ${f.cu} is already logged in; log out first`),
  },
  {
    command: 'login',
    actor: 'crypto-user',
    target: 'other',
    line: (f) => `login --username ${f.oadm} --role admin --password ${PW}`,
    wire: (f) => ({ op: 'login', args: { username: f.oadm, role: 'admin', password: PW } }),
    expect: (f) => refused('ERR_ALREADY_LOGGED_IN', `User ${f.cu} is already logged in; log out first`),
  },
  // logout (no target)
  ...(['admin', 'crypto-user'] as const).map((actor): MatrixCase => ({
    command: 'logout',
    actor,
    target: 'self',
    line: () => 'logout',
    wire: () => ({ op: 'logout', args: {} }),
    expect: () => ok('Logout successful', {}),
  })),
  {
    command: 'logout',
    actor: 'none',
    target: 'self',
    line: () => 'logout',
    wire: () => ({ op: 'logout', args: {} }),
    expect: notLoggedIn,
  },
  // user create
  {
    command: 'user create',
    actor: 'admin',
    target: 'other (crypto user)',
    line: (f) => `user create --username ${f.fresh} --role crypto-user --password ${PW}`,
    wire: (f) => ({ op: 'user-create', args: { username: f.fresh, role: 'crypto-user', password: PW } }),
    expect: (f) => ok({ username: f.fresh, role: 'crypto-user' }),
    check: async (f, o) => {
      assert.equal(await o.roleOf(f.fresh), 'crypto-user');
      await passwordKept(o, f.fresh, 'crypto-user');
    },
  },
  {
    command: 'user create',
    actor: 'admin',
    target: 'other (admin)',
    line: (f) => `user create --username ${f.fresh} --role admin --password ${PW}`,
    wire: (f) => ({ op: 'user-create', args: { username: f.fresh, role: 'admin', password: PW } }),
    expect: (f) => ok({ username: f.fresh, role: 'admin' }),
    check: async (f, o) => assert.equal(await o.roleOf(f.fresh), 'admin'),
  },
  {
    command: 'user create',
    actor: 'admin',
    target: 'self',
    line: (f) => `user create --username ${f.adm} --role admin --password ${NEW_PW}`,
    wire: (f) => ({ op: 'user-create', args: { username: f.adm, role: 'admin', password: NEW_PW } }),
    expect: () => refused('ERR_USER_EXISTS', `User already exists`),
    check: (f, o) => passwordKept(o, f.adm, 'admin'),
  },
  {
    command: 'user create',
    actor: 'crypto-user',
    target: 'other',
    line: (f) => `user create --username ${f.fresh} --role crypto-user --password ${PW}`,
    wire: (f) => ({ op: 'user-create', args: { username: f.fresh, role: 'crypto-user', password: PW } }),
    expect: () => denied('create users'),
    check: async (f, o) => assert.equal(await o.roleOf(f.fresh), undefined),
  },
  {
    command: 'user create',
    actor: 'crypto-user',
    target: 'self',
    line: (f) => `user create --username ${f.cu} --role crypto-user --password ${NEW_PW}`,
    wire: (f) => ({ op: 'user-create', args: { username: f.cu, role: 'crypto-user', password: NEW_PW } }),
    expect: () => denied('create users'),
  },
  {
    command: 'user create',
    actor: 'none',
    target: 'other',
    line: (f) => `user create --username ${f.fresh} --role admin --password ${PW}`,
    wire: (f) => ({ op: 'user-create', args: { username: f.fresh, role: 'admin', password: PW } }),
    expect: notLoggedIn,
    check: async (f, o) => assert.equal(await o.roleOf(f.fresh), undefined),
  },
  // user delete
  {
    command: 'user delete',
    actor: 'admin',
    target: 'other (crypto user)',
    line: (f) => `user delete --username ${f.ocu} --role crypto-user`,
    wire: (f) => ({ op: 'user-delete', args: { username: f.ocu, role: 'crypto-user' } }),
    expect: (f) => ok({ username: f.ocu, role: 'crypto-user' }),
    check: async (f, o) => assert.equal(await o.roleOf(f.ocu), undefined),
  },
  {
    command: 'user delete',
    actor: 'admin',
    target: 'other (admin)',
    line: (f) => `user delete --username ${f.oadm} --role admin`,
    wire: (f) => ({ op: 'user-delete', args: { username: f.oadm, role: 'admin' } }),
    expect: (f) => ok({ username: f.oadm, role: 'admin' }),
    check: async (f, o) => assert.equal(await o.roleOf(f.oadm), undefined),
  },
  {
    command: 'user delete',
    actor: 'admin',
    target: 'self',
    line: (f) => `user delete --username ${f.adm} --role admin`,
    wire: (f) => ({ op: 'user-delete', args: { username: f.adm, role: 'admin' } }),
    expect: (f) =>
      refused('ERR_USER_LOGGED_IN', `Cannot delete user ${f.adm}: the user is currently logged in`),
    check: async (f, o) => assert.equal(await o.roleOf(f.adm), 'admin'),
  },
  {
    command: 'user delete',
    actor: 'admin',
    target: 'other, logged in elsewhere',
    line: (f) => `user delete --username ${f.ocu} --role crypto-user`,
    wire: (f) => ({ op: 'user-delete', args: { username: f.ocu, role: 'crypto-user' } }),
    elsewhere: (f) => [f.ocu, 'crypto-user'],
    expect: (f) =>
      refused('ERR_USER_LOGGED_IN', `Cannot delete user ${f.ocu}: the user is currently logged in`),
    check: async (f, o) => assert.equal(await o.roleOf(f.ocu), 'crypto-user'),
  },
  {
    command: 'user delete',
    actor: 'crypto-user',
    target: 'other',
    line: (f) => `user delete --username ${f.ocu} --role crypto-user`,
    wire: (f) => ({ op: 'user-delete', args: { username: f.ocu, role: 'crypto-user' } }),
    expect: () => denied('delete users'),
    check: async (f, o) => assert.equal(await o.roleOf(f.ocu), 'crypto-user'),
  },
  {
    command: 'user delete',
    actor: 'crypto-user',
    target: 'self',
    line: (f) => `user delete --username ${f.cu} --role crypto-user`,
    wire: (f) => ({ op: 'user-delete', args: { username: f.cu, role: 'crypto-user' } }),
    expect: () => denied('delete users'),
    check: async (f, o) => assert.equal(await o.roleOf(f.cu), 'crypto-user'),
  },
  {
    command: 'user delete',
    actor: 'none',
    target: 'other',
    line: (f) => `user delete --username ${f.ocu} --role crypto-user`,
    wire: (f) => ({ op: 'user-delete', args: { username: f.ocu, role: 'crypto-user' } }),
    expect: notLoggedIn,
    check: async (f, o) => assert.equal(await o.roleOf(f.ocu), 'crypto-user'),
  },
  // user change-password
  {
    command: 'user change-password',
    actor: 'admin',
    target: 'self',
    line: (f) => `user change-password --username ${f.adm} --role admin --password ${NEW_PW}`,
    wire: (f) => ({ op: 'user-change-password', args: { username: f.adm, role: 'admin', password: NEW_PW } }),
    expect: (f) => ok({ username: f.adm, role: 'admin' }),
    check: (f, o) => passwordChanged(o, f.adm, 'admin'),
  },
  {
    command: 'user change-password',
    actor: 'admin',
    target: 'other (crypto user)',
    line: (f) => `user change-password --username ${f.ocu} --role crypto-user --password ${NEW_PW}`,
    wire: (f) => ({
      op: 'user-change-password',
      args: { username: f.ocu, role: 'crypto-user', password: NEW_PW },
    }),
    expect: (f) => ok({ username: f.ocu, role: 'crypto-user' }),
    check: (f, o) => passwordChanged(o, f.ocu, 'crypto-user'),
  },
  {
    command: 'user change-password',
    actor: 'admin',
    target: 'other (admin)',
    line: (f) => `user change-password --username ${f.oadm} --role admin --password ${NEW_PW}`,
    wire: (f) => ({
      op: 'user-change-password',
      args: { username: f.oadm, role: 'admin', password: NEW_PW },
    }),
    expect: (f) => ok({ username: f.oadm, role: 'admin' }),
    check: (f, o) => passwordChanged(o, f.oadm, 'admin'),
  },
  {
    command: 'user change-password',
    actor: 'admin',
    target: 'other, logged in elsewhere',
    line: (f) => `user change-password --username ${f.ocu} --role crypto-user --password ${NEW_PW}`,
    wire: (f) => ({
      op: 'user-change-password',
      args: { username: f.ocu, role: 'crypto-user', password: NEW_PW },
    }),
    elsewhere: (f) => [f.ocu, 'crypto-user'],
    expect: (f) =>
      refused(
        'ERR_USER_LOGGED_IN',
        `Cannot change the password of user ${f.ocu}: the user is currently logged in`,
      ),
    check: (f, o) => passwordKept(o, f.ocu, 'crypto-user'),
  },
  {
    command: 'user change-password',
    actor: 'crypto-user',
    target: 'self',
    line: (f) => `user change-password --username ${f.cu} --role crypto-user --password ${NEW_PW}`,
    wire: (f) => ({
      op: 'user-change-password',
      args: { username: f.cu, role: 'crypto-user', password: NEW_PW },
    }),
    expect: (f) => ok({ username: f.cu, role: 'crypto-user' }),
    check: (f, o) => passwordChanged(o, f.cu, 'crypto-user'),
  },
  {
    command: 'user change-password',
    actor: 'crypto-user',
    target: 'other (crypto user)',
    line: (f) => `user change-password --username ${f.ocu} --role crypto-user --password ${NEW_PW}`,
    wire: (f) => ({
      op: 'user-change-password',
      args: { username: f.ocu, role: 'crypto-user', password: NEW_PW },
    }),
    expect: () => denied("change another user's password"),
    check: (f, o) => passwordKept(o, f.ocu, 'crypto-user'),
  },
  {
    command: 'user change-password',
    actor: 'crypto-user',
    target: 'other (admin)',
    line: (f) => `user change-password --username ${f.oadm} --role admin --password ${NEW_PW}`,
    wire: (f) => ({
      op: 'user-change-password',
      args: { username: f.oadm, role: 'admin', password: NEW_PW },
    }),
    expect: () => denied("change another user's password"),
    check: (f, o) => passwordKept(o, f.oadm, 'admin'),
  },
  {
    command: 'user change-password',
    actor: 'none',
    target: 'other',
    line: (f) => `user change-password --username ${f.ocu} --role crypto-user --password ${NEW_PW}`,
    wire: (f) => ({
      op: 'user-change-password',
      args: { username: f.ocu, role: 'crypto-user', password: NEW_PW },
    }),
    expect: notLoggedIn,
    check: (f, o) => passwordKept(o, f.ocu, 'crypto-user'),
  },
];

/** user list: no login needed; every actor sees every user (checked apart: CLI rows and node views differ in shape). */
const LIST_ACTORS: Actor[] = ['admin', 'crypto-user', 'none'];

describe('permission matrix', () => {
  let cluster: TestCluster;
  let runner: UserCaseRunner;
  before(async () => {
    cluster = await startActivatedCluster();
    runner = await UserCaseRunner.open(cluster, 'm');
  });
  after(async () => {
    runner.close();
    await cluster.close();
  });

  for (const c of CASES) {
    it(`${c.command} as ${c.actor} on ${c.target}`, () => runner.run(c));
  }

  for (const actor of LIST_ACTORS) {
    it(`user list as ${actor} (no login needed) shows every user`, async () => {
      const f = await runner.fixture();
      const login = actorLogin(actor, f);
      const lines = [
        ...(login ? [`login --username ${login.username} --role ${login.role} --password ${PW}`] : []),
        'user list',
      ];
      const run = await cluster.cli(['interactive'], { input: lines.join('\n') + '\n' });
      const list = envelopes(run.stdout).at(-1)!;
      assert.equal(list.error_code, 0);
      const names = (list.data.users as { username: string }[]).map((u) => u.username);
      for (const n of [f.adm, f.cu, f.oadm, f.ocu, 'admin', 'app_user']) assert.ok(names.includes(n), n);
      assert.equal(names.at(-1), 'app_user');

      const t = await nodeWithFixture(f);
      const session = login ? await t.loginSession(login.username, login.role, PW) : t.node.openSession();
      const reply = await t.send(session, 'user-list', {});
      assert.ok(reply.ok);
      assert.deepEqual(
        (reply.result as { users: { username: string }[] }).users.map((u) => u.username),
        ['admin', 'app_user', f.adm, f.cu, f.oadm, f.ocu],
      );
    });
  }
});
