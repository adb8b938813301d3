// localhsm up --seed: a new cluster comes up activated with the seed's users and keys; a resumed one is only
// compared (nothing changed); a bad seed is refused with its location before any state exists.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { SqliteStore } from '../../src/hsm/store/sqlite.js';
import { stopNodes } from '../../src/localhsm/cluster-manager.js';
import { runCli, tempDir } from '../helpers/cluster.js';
import { testKeyPair } from '../helpers/keys.js';
import { runLocalhsm } from '../helpers/localhsm.js';

const SEED = [
  'users:',
  '  - username: admin',
  '    role: admin',
  '    password: admin-pass-1',
  '  - username: officer',
  '    role: admin',
  '    password: officer-pass-1',
  '    locked: true',
  '  - username: alice',
  '    role: crypto-user',
  '    password: alice-pass-1',
  '    mfaPublicKey: alice.pub',
  'timeouts:',
  '  mfaToken: 2m',
];

describe('localhsm up --seed', () => {
  let work: string;
  let state: string;
  let seedFile: string;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { state, env });
  const rows = async () =>
    (await cli(['user', 'list'])).json!.data.users.map((u: Record<string, unknown>) => [
      u.username,
      u.role,
      u.locked,
      (u.mfa as unknown[]).length > 0,
      (u.quorum as unknown[]).length > 0,
      u['cluster-coverage'],
    ]);
  const SEEDED = [
    ['admin', 'admin', 'false', false, false, 'full'],
    ['officer', 'admin', 'true', false, false, 'full'],
    ['alice', 'crypto-user', 'false', true, true, 'full'],
    ['app_user', 'internal(APPLIANCE_USER)', 'false', false, false, 'full'],
  ];

  before(async () => {
    work = tempDir('localhsm-seed-up-');
    state = path.join(work, 'state');
    fs.writeFileSync(path.join(work, 'alice.pub'), testKeyPair('alice').publicPem);
    fs.writeFileSync(path.join(work, 'alice.key'), testKeyPair('alice').privatePem);
    seedFile = path.join(work, 'seed.yaml');
    fs.writeFileSync(seedFile, SEED.join('\n') + '\n');
  });
  after(async () => {
    if (fs.existsSync(paths(state).manifest)) await stopNodes(state);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('creates an activated cluster holding the seed users, keys, lock flags and settings', async () => {
    const up = await runLocalhsm([
      'up',
      '--state',
      state,
      '--seed',
      seedFile,
      '--hsms',
      '2',
      '--kdf',
      'fast',
      '--base-port',
      '0',
      '--detach',
    ]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, new RegExp(`Activated and seeded from ${seedFile}: admin, officer, alice\n`));
    // Progress before the slow step (issue 15 item 10).
    assert.match(up.stderr, /Hashing 3 seeded password\(s\) on each of 2 HSM\(s\) \(fast KDF\)\n/);
    assert.deepEqual(await rows(), SEEDED);
    const login = await cli(['logout'], { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' });
    assert.deepEqual(login.json, { error_code: 0, data: 'Logout successful' });
    const locked = await cli(['logout'], { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'officer:officer-pass-1' });
    assert.equal(
      locked.json!.data,
      'User officer is locked after too many failed login attempts; an admin can unlock it with user change-password',
    );
    // alice's seeded key signs her MFA login (one token per HSM).
    const aliceLogin = await runCli(
      [
        'login',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        '--password',
        'alice-pass-1',
        'mfa-token-sign',
        '--token',
        path.join(work, 't.json'),
        '--sign-with',
        path.join(work, 'alice.key'),
      ],
      { state },
    );
    assert.deepEqual(aliceLogin.json, { error_code: 0, data: { username: 'alice', role: 'crypto-user' } });
    for (const hsm of JSON.parse(fs.readFileSync(paths(state).manifest, 'utf8')).hsms) {
      const store = new SqliteStore(paths(state).hsm(hsm.id).db);
      try {
        assert.equal(store.getSetting('mfa_token_seconds'), '120');
      } finally {
        store.close();
      }
    }
  });

  it('resumes with the same seed without changing anything, noting what a rehearsal changed', async () => {
    const unlock = await cli(
      ['user', 'change-password', '--username', 'officer', '--role', 'admin', '--password', 'officer-pass-2'],
      {
        CLOUDHSM_ROLE: 'admin',
        CLOUDHSM_PIN: 'admin:admin-pass-1',
      },
    );
    assert.equal(unlock.json?.error_code, 0);
    await stopNodes(state);
    const up = await runLocalhsm(['up', '--state', state, '--seed', seedFile, '--detach']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /note: user officer changed since seeding: locked false\n/);
    assert.match(up.stderr, new RegExp(`The cluster holds every user of ${seedFile}; nothing was changed\n`));
    const after = await rows();
    assert.deepEqual(
      after,
      SEEDED.map((r) => (r[0] === 'officer' ? ['officer', 'admin', 'false', false, false, 'full'] : r)),
    );
    const officer = await cli(['logout'], { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'officer:officer-pass-2' });
    assert.equal(officer.json?.error_code, 0, 'the password changed after seeding is kept');
  });

  it('refuses to resume with a seed whose users are not there, and stops what it started', async () => {
    await stopNodes(state);
    const other = path.join(work, 'other.yaml');
    fs.writeFileSync(
      other,
      [
        ...SEED.slice(0, 4),
        '  - username: bob',
        '    role: crypto-user',
        '    password: bob-pass-12',
        '  - username: alice',
        '    role: admin',
        '    password: alice-pass-1',
      ].join('\n'),
    );
    const up = await runLocalhsm(['up', '--state', state, '--seed', other, '--detach']);
    assert.equal(up.code, 1);
    assert.match(
      up.stderr,
      new RegExp(
        `error: The cluster in ${state} does not match the seed ${other}: user bob is missing; user alice has the role crypto-user, not admin; nothing was changed\n$`,
      ),
    );
    const status = await runLocalhsm(['status', '--state', state]);
    assert.equal(status.code, 1, 'the HSMs it started were stopped again');
    assert.doesNotMatch(status.stdout, / up /);
  });

  it('refuses a malformed seed with file, line and field, and leaves no state behind', async () => {
    const bad = path.join(work, 'bad.yaml');
    fs.writeFileSync(
      bad,
      [...SEED.slice(0, 8), '  - username: carol', '    role: officer', '    password: carol-pass-1'].join(
        '\n',
      ),
    );
    const fresh = path.join(work, 'never-created');
    const up = await runLocalhsm([
      'up',
      '--state',
      fresh,
      '--seed',
      bad,
      '--kdf',
      'fast',
      '--base-port',
      '0',
      '--detach',
    ]);
    assert.equal(up.code, 1);
    assert.equal(
      up.stderr,
      `error: ${bad}:10: users[2].role: invalid value 'officer' (expected admin or crypto-user)\n`,
    );
    assert.equal(up.stdout, '');
    assert.equal(fs.existsSync(fresh), false, 'no state directory was created');
    const empty = tempDir('localhsm-empty-');
    try {
      const again = await runLocalhsm(['up', '--state', empty, '--seed', bad, '--detach']);
      assert.equal(again.code, 1);
      assert.deepEqual(fs.readdirSync(empty), [], 'an existing directory stays empty');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
