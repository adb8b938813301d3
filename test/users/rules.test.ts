// The rules of issue 3 on names, passwords, roles and the built-in user, checked through the CLI on a
// cluster and by hand-made requests to a lone node; plus the cases where the two layers answer differently.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Session } from '../../src/hsm/session.js';
import { startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { envelopes } from '../helpers/envelopes.js';
import { NODE_ADMIN_PASSWORD, makeNode } from '../helpers/node.js';
import {
  NEW_PW,
  PW,
  type UserCase,
  UserCaseRunner,
  nodeWithFixture,
  ok,
  passwordKept,
  refused,
} from '../helpers/user-cases.js';

const badName = (name: string) =>
  refused(
    'ERR_INVALID_USERNAME',
    `Invalid username '${name}': use 1 to 31 characters, letters, digits or '_' only (the only special character permitted is an underscore)`,
  );
const badPassword = () =>
  refused('ERR_INVALID_PASSWORD', "Invalid password: use 8 to 32 characters, without ':'");
const loginFailed = () => refused('ERR_LOGIN_FAILED', 'Incorrect authentication credentials');

const createAs = (
  name: (f: { fresh: string }) => string,
  password = PW,
  shellName?: (f: { fresh: string }) => string,
): UserCase => ({
  actor: 'admin',
  line: (f) => `user create --username ${(shellName ?? name)(f)} --role crypto-user --password ${password}`,
  wire: (f) => ({ op: 'user-create', args: { username: name(f), role: 'crypto-user', password } }),
  expect: (f) => ok({ username: name(f).toLowerCase(), role: 'crypto-user' }),
});

const RULES: [string, UserCase][] = [
  // usernames
  ['a 31-character username is accepted', createAs((f) => f.fresh.padEnd(31, 'x'))],
  [
    'a 32-character username is refused',
    {
      ...createAs((f) => f.fresh.padEnd(32, 'x')),
      expect: (f) => badName(f.fresh.padEnd(32, 'x')),
      check: async (f, o) => assert.equal(await o.roleOf(f.fresh.padEnd(32, 'x')), undefined),
    },
  ],
  [
    'a username with a hyphen is refused',
    { ...createAs((f) => `${f.fresh}-x`), expect: (f) => badName(`${f.fresh}-x`) },
  ],
  [
    'a username with a space is refused',
    {
      ...createAs(
        (f) => `${f.fresh} x`,
        PW,
        (f) => `'${f.fresh} x'`,
      ),
      expect: (f) => badName(`${f.fresh} x`),
    },
  ],
  [
    'an empty username is refused',
    {
      ...createAs(
        () => '',
        PW,
        () => "''",
      ),
      expect: () => badName(''),
    },
  ],
  [
    'a username with a non-ASCII letter is refused',
    { ...createAs((f) => `${f.fresh}é`), expect: (f) => badName(`${f.fresh}é`) },
  ],
  [
    'usernames are case-insensitive and stored in lower case',
    {
      ...createAs((f) => `Mixed_${f.fresh.toUpperCase()}`),
      check: async (f, o) => {
        const stored = `mixed_${f.fresh}`;
        assert.equal(await o.roleOf(stored), 'crypto-user');
        assert.equal(await o.roleOf(`Mixed_${f.fresh.toUpperCase()}`), undefined);
        assert.equal(await o.canLogin(stored.toUpperCase(), 'crypto-user', PW), true);
      },
    },
  ],
  [
    'login takes the username in any case and answers it in lower case',
    {
      actor: 'none',
      line: (f) => `login --username ${f.ocu.toUpperCase()} --role crypto-user --password ${PW}`,
      wire: (f) => ({
        op: 'login',
        args: { username: f.ocu.toUpperCase(), role: 'crypto-user', password: PW },
      }),
      expect: (f) => ok({ username: f.ocu, role: 'crypto-user' }),
    },
  ],
  [
    'delete takes the username in any case',
    {
      actor: 'admin',
      line: (f) => `user delete --username ${f.ocu.toUpperCase()} --role crypto-user`,
      wire: (f) => ({ op: 'user-delete', args: { username: f.ocu.toUpperCase(), role: 'crypto-user' } }),
      expect: (f) => ok({ username: f.ocu, role: 'crypto-user' }),
      check: async (f, o) => assert.equal(await o.roleOf(f.ocu), undefined),
    },
  ],
  // passwords
  ['an 8-character password is accepted', createAs((f) => f.fresh, 'eight-88')],
  ['a 32-character password is accepted', createAs((f) => f.fresh, 'p'.repeat(32))],
  [
    'a 7-character password is refused',
    {
      ...createAs((f) => f.fresh, 'seven-7'),
      expect: badPassword,
      check: async (f, o) => assert.equal(await o.roleOf(f.fresh), undefined),
    },
  ],
  [
    'a 33-character password is refused',
    { ...createAs((f) => f.fresh, 'p'.repeat(33)), expect: badPassword },
  ],
  ["a password with ':' is refused", { ...createAs((f) => f.fresh, 'pass:word1'), expect: badPassword }],
  [
    "change-password refuses a new password with ':' and keeps the old one",
    {
      actor: 'admin',
      line: (f) => `user change-password --username ${f.ocu} --role crypto-user --password new:password`,
      wire: (f) => ({
        op: 'user-change-password',
        args: { username: f.ocu, role: 'crypto-user', password: 'new:password' },
      }),
      expect: badPassword,
      check: (f, o) => passwordKept(o, f.ocu, 'crypto-user'),
    },
  ],
  [
    'change-password of oneself refuses a too short password',
    {
      actor: 'crypto-user',
      line: (f) => `user change-password --username ${f.cu} --role crypto-user --password short`,
      wire: (f) => ({
        op: 'user-change-password',
        args: { username: f.cu, role: 'crypto-user', password: 'short' },
      }),
      expect: badPassword,
      check: (f, o) => passwordKept(o, f.cu, 'crypto-user'),
    },
  ],
  // roles
  [
    'delete with a role the user does not have is refused',
    {
      actor: 'admin',
      line: (f) => `user delete --username ${f.ocu} --role admin`,
      wire: (f) => ({ op: 'user-delete', args: { username: f.ocu, role: 'admin' } }),
      expect: (f) => refused('ERR_ROLE_MISMATCH', `User ${f.ocu} does not have the role admin`),
      check: async (f, o) => assert.equal(await o.roleOf(f.ocu), 'crypto-user'),
    },
  ],
  [
    "an admin's change-password with the wrong role is refused",
    {
      actor: 'admin',
      line: (f) => `user change-password --username ${f.oadm} --role crypto-user --password ${NEW_PW}`,
      wire: (f) => ({
        op: 'user-change-password',
        args: { username: f.oadm, role: 'crypto-user', password: NEW_PW },
      }),
      expect: (f) => refused('ERR_ROLE_MISMATCH', `User ${f.oadm} does not have the role crypto-user`),
      check: (f, o) => passwordKept(o, f.oadm, 'admin'),
    },
  ],
  [
    "a crypto user's own change-password with the wrong role is refused",
    {
      actor: 'crypto-user',
      line: (f) => `user change-password --username ${f.cu} --role admin --password ${NEW_PW}`,
      wire: (f) => ({
        op: 'user-change-password',
        args: { username: f.cu, role: 'admin', password: NEW_PW },
      }),
      expect: (f) => refused('ERR_ROLE_MISMATCH', `User ${f.cu} does not have the role admin`),
      check: (f, o) => passwordKept(o, f.cu, 'crypto-user'),
    },
  ],
  [
    'login with a role the user does not have fails like a wrong password',
    {
      actor: 'none',
      line: (f) => `login --username ${f.ocu} --role admin --password ${PW}`,
      wire: (f) => ({ op: 'login', args: { username: f.ocu, role: 'admin', password: PW } }),
      expect: loginFailed,
    },
  ],
  [
    'creating a user that exists with another role is refused',
    {
      actor: 'admin',
      line: (f) => `user create --username ${f.ocu} --role admin --password ${PW}`,
      wire: (f) => ({ op: 'user-create', args: { username: f.ocu, role: 'admin', password: PW } }),
      expect: () => refused('ERR_USER_EXISTS', `User already exists`),
      check: async (f, o) => assert.equal(await o.roleOf(f.ocu), 'crypto-user'),
    },
  ],
  // the built-in app_user
  [
    "app_user's password cannot be changed",
    {
      actor: 'admin',
      line: () => `user change-password --username app_user --role crypto-user --password ${NEW_PW}`,
      wire: () => ({
        op: 'user-change-password',
        args: { username: 'app_user', role: 'crypto-user', password: NEW_PW },
      }),
      expect: () => refused('ERR_BUILTIN_USER', 'The built-in user app_user cannot be changed'),
    },
  ],
  [
    'app_user cannot be deleted',
    {
      actor: 'admin',
      line: () => 'user delete --username APP_USER --role admin',
      wire: () => ({ op: 'user-delete', args: { username: 'APP_USER', role: 'admin' } }),
      expect: () => refused('ERR_BUILTIN_USER', 'The built-in user app_user cannot be changed'),
      check: async (_f, o) => assert.equal(await o.roleOf('app_user'), 'internal(APPLIANCE_USER)'),
    },
  ],
  [
    'app_user cannot be created again',
    {
      actor: 'admin',
      line: () => `user create --username app_user --role crypto-user --password ${PW}`,
      wire: () => ({ op: 'user-create', args: { username: 'app_user', role: 'crypto-user', password: PW } }),
      expect: () => refused('ERR_USER_EXISTS', 'User already exists'),
    },
  ],
  [
    'nobody can log in as app_user',
    {
      actor: 'none',
      line: () => `login --username app_user --role crypto-user --password ${PW}`,
      wire: () => ({ op: 'login', args: { username: 'app_user', role: 'crypto-user', password: PW } }),
      expect: loginFailed,
    },
  ],
];

describe('user rules, on the cluster and on a lone node alike', () => {
  let cluster: TestCluster;
  let runner: UserCaseRunner;
  before(async () => {
    cluster = await startActivatedCluster();
    runner = await UserCaseRunner.open(cluster, 'r');
  });
  after(async () => {
    runner.close();
    await cluster.close();
  });

  for (const [name, c] of RULES) it(name, () => runner.run(c));

  it('an invalid role is a usage error in the CLI and ERR_INVALID_ROLE on the node', async () => {
    const f = await runner.fixture();
    const run = await cluster.as('admin', f.adm, PW, [
      'user',
      'create',
      '--username',
      f.fresh,
      '--role',
      'root',
      '--password',
      PW,
    ]);
    assert.deepEqual(
      { exit: run.exitCode, stdout: run.stdout, stderr: run.stderr },
      {
        exit: 2,
        stdout: '',
        stderr:
          "error: invalid value 'root' for '--role <ROLE>'\n  [possible values: crypto-user, admin]\n\n" +
          'Usage: cloudhsm-cli user create [OPTIONS] --username <USERNAME> --role <ROLE>\n\n' +
          "For more information, try '--help'.\n",
      },
    );
    const t = await nodeWithFixture(f);
    const session = await t.loginSession(f.adm, 'admin', PW);
    for (const [op, args] of [
      ['user-create', { username: f.fresh, role: 'root', password: PW }],
      ['user-create', { username: f.fresh, role: 'Admin', password: PW }],
      ['user-create', { username: f.fresh, role: 'internal(APPLIANCE_USER)', password: PW }],
      ['user-delete', { username: f.ocu, role: 'unactivated-admin' }],
      ['user-change-password', { username: f.ocu, role: 'crypto_user', password: NEW_PW }],
    ] as const) {
      const reply = await t.send(session, op, args);
      assert.deepEqual(reply.ok ? reply.result : reply.error, {
        code: 'ERR_INVALID_ROLE',
        message: `Invalid role '${args.role}': possible values are admin, crypto-user`,
        params: { role: args.role },
      });
    }
    assert.equal(t.store.getUser(f.fresh), undefined);
  });

  it('deleting a user that does not exist: the CLI says so; each node reports it as already done', async () => {
    const f = await runner.fixture();
    const run = await cluster.as('admin', f.adm, PW, [
      'user',
      'delete',
      '--username',
      'Ghost_1',
      '--role',
      'crypto-user',
    ]);
    assert.deepEqual(
      { exit: run.exitCode, json: run.json, stderr: run.stderr },
      {
        exit: 1,
        json: { error_code: 1, data: 'User ghost_1 does not exist' },
        stderr: '',
      },
    );
    const t = await nodeWithFixture(f);
    const reply = await t.send(await t.loginSession(f.adm, 'admin', PW), 'user-delete', {
      username: 'Ghost_1',
      role: 'crypto-user',
    });
    assert.deepEqual(reply.ok && reply.result, {
      username: 'ghost_1',
      role: 'crypto-user',
      alreadyInEffect: true,
    });
  });

  it('creating a user again with the same role and password: the CLI says it exists; each node refuses whatever the password (issue 13)', async () => {
    const f = await runner.fixture();
    const run = await cluster.as('admin', f.adm, PW, [
      'user',
      'create',
      '--username',
      f.ocu,
      '--role',
      'crypto-user',
      '--password',
      PW,
    ]);
    assert.deepEqual(
      { exit: run.exitCode, json: run.json },
      { exit: 1, json: { error_code: 1, data: `User already exists` } },
    );
    const t = await nodeWithFixture(f);
    const admin = await t.loginSession(f.adm, 'admin', PW);
    // The right and a wrong password get the same answer: user-create is no password oracle.
    for (const password of [PW, 'wrong-pass-1']) {
      const reply = await t.send(admin, 'user-create', { username: f.ocu, role: 'crypto-user', password });
      assert.deepEqual(reply.ok ? reply.result : reply.error, {
        code: 'ERR_USER_EXISTS',
        message: `User already exists`,
        params: { username: f.ocu },
      });
    }
  });

  it('a refused second login leaves the first one in place', async () => {
    const f = await runner.fixture();
    const run = await cluster.cli(['interactive'], {
      input: [
        `login --username ${f.cu} --role crypto-user --password ${PW}`,
        `login --username ${f.adm} --role admin --password ${PW}`,
        `user create --username ${f.fresh} --role crypto-user --password ${PW}`,
        `user change-password --username ${f.cu} --role crypto-user --password ${NEW_PW}`,
      ].join('\n'),
    });
    assert.deepEqual(envelopes(run.stdout), [
      { error_code: 0, data: { username: f.cu, role: 'crypto-user' } },
      { error_code: 1, data: `User ${f.cu} is already logged in; log out first` },
      { error_code: 1, data: 'Permission denied: the crypto-user role cannot create users' },
      { error_code: 0, data: { username: f.cu, role: 'crypto-user' } },
    ]);
  });

  it('user list works without any login on a fresh shell', async () => {
    const run = await cluster.cli(['interactive'], { input: 'user list\n' });
    const [list] = envelopes(run.stdout);
    assert.equal(list?.error_code, 0);
    assert.equal(list?.data.users[0].username, 'admin');
  });
});

describe('the user limit', () => {
  it('an HSM refuses a user beyond its limit, and keeps what it has', async () => {
    const t = await makeNode({ activated: true });
    t.store.setSetting('max_users', '3');
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    assert.ok(
      (await t.send(admin, 'user-create', { username: 'third', role: 'crypto-user', password: PW })).ok,
    );
    const reply = await t.send(admin, 'user-create', {
      username: 'fourth',
      role: 'crypto-user',
      password: PW,
    });
    assert.deepEqual(reply.ok ? reply.result : reply.error, {
      code: 'ERR_TOO_MANY_USERS',
      message: 'The HSM already holds the maximum of 3 users',
      params: { limit: 3 },
    });
    assert.deepEqual(
      t.store.listUsers().map((u) => u.username),
      ['admin', 'app_user', 'third'],
    );
  });
});

describe('the last admin', () => {
  it('cannot be deleted, even by a session whose own admin record is gone', async () => {
    // Unreachable through the CLI (the acting admin is logged in, so is never the last one to delete);
    // the node still refuses it on its own.
    const t = await makeNode({ activated: true });
    const ghost = new Session(999);
    ghost.user = { username: 'ghost', role: 'admin' };
    ghost.lastActive = t.clock.now();
    const reply = await t.send(ghost, 'user-delete', { username: 'admin', role: 'admin' });
    assert.deepEqual(reply.ok ? reply.result : reply.error, {
      code: 'ERR_LAST_ADMIN',
      message: 'Cannot delete admin: it is the last admin on the HSM',
      params: { username: 'admin' },
    });
    assert.equal(t.store.getUser('admin')?.role, 'admin');
  });

  it('can be deleted once another admin exists, by that other admin', async () => {
    const t = await makeNode({ activated: true });
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    assert.ok((await t.send(admin, 'user-create', { username: 'second', role: 'admin', password: PW })).ok);
    t.node.closeSession(admin);
    const second = await t.loginSession('second', 'admin', PW);
    const reply = await t.send(second, 'user-delete', { username: 'admin', role: 'admin' });
    assert.deepEqual(reply.ok && reply.result, { username: 'admin', role: 'admin' });
    // Now `second` is the last admin, and logged in: refused for that reason first.
    const self = await t.send(second, 'user-delete', { username: 'second', role: 'admin' });
    assert.equal(
      !self.ok && self.error.message,
      'Cannot delete user second: the user is currently logged in',
    );
  });
});
