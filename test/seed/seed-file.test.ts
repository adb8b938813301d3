// Seed files: YAML and JSON, every rule, and a located error (file, line, field) for every kind of problem.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDuration, formatDuration } from '../../src/cluster/duration.js';
import { HsmError } from '../../src/errors.js';
import { loadSeedFile, resolveSeed } from '../../src/seed/seed-file.js';
import { tempDir } from '../helpers/cluster.js';
import { ROOT, localhsm } from '../helpers/processes.js';
import { testKeyPair } from '../helpers/keys.js';

const ADMIN = ['users:', '  - username: admin', '    role: admin', '    password: admin-pass-1'];

describe('seed files', () => {
  let dir: string;
  const write = (name: string, lines: readonly string[] | string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof lines === 'string' ? lines : lines.join('\n') + '\n');
    return file;
  };
  /** The message of the error loading `file` throws (as `localhsm up` prints it after "error: "). */
  const refusal = (file: string) => {
    try {
      loadSeedFile(file);
    } catch (error) {
      assert.ok(error instanceof HsmError, String(error));
      return { code: error.code, message: error.message };
    }
    assert.fail(`${file} was accepted`);
  };

  before(() => {
    dir = tempDir('localhsm-seed-');
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.writeFileSync(path.join(dir, 'keys', 'alice.pub'), testKeyPair('alice').publicPem);
    fs.writeFileSync(path.join(dir, 'keys', 'officer.pub'), testKeyPair('officer').publicPem);
    fs.writeFileSync(path.join(dir, 'keys', 'big.pub'), testKeyPair('big', 3072).publicPem);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a YAML seed: names lower-cased, key files relative to the seed, MFA key doubling as quorum key, durations', () => {
    const file = write('seed.yaml', [
      'version: 1',
      ...ADMIN,
      '  - username: Alice',
      '    role: crypto-user',
      '    password: alice-pass-1',
      '    mfaPublicKey: keys/alice.pub',
      '    locked: true',
      '  - username: officer',
      '    role: admin',
      '    password: officer-pass-1',
      '    mfaPublicKey: keys/alice.pub',
      '    quorumPublicKey: keys/officer.pub',
      '  - username: bob',
      '    role: crypto-user',
      '    password: bob-pass-1',
      '    mfaPublicKey: keys/alice.pub',
      '    quorumPublicKey: null',
      'timeouts:',
      '  mfaToken: 10m',
      '  sessionIdle: 3600',
    ]);
    const seed = loadSeedFile(file);
    assert.equal(seed.source, file);
    assert.deepEqual(
      seed.users.map((u) => [
        u.username,
        u.role,
        u.locked,
        u.mfaPublicKey !== null,
        u.quorumPublicKey !== null,
      ]),
      [
        ['admin', 'admin', false, false, false],
        ['alice', 'crypto-user', true, true, true],
        ['officer', 'admin', false, true, true],
        ['bob', 'crypto-user', false, true, false],
      ],
    );
    assert.equal(
      seed.users[1]!.quorumPublicKey,
      seed.users[1]!.mfaPublicKey,
      'the MFA key is the quorum key by default',
    );
    assert.equal(seed.users[2]!.quorumPublicKey, testKeyPair('officer').publicPem);
    assert.equal(seed.mfaTokenSeconds, 600);
    assert.equal(seed.sessionIdleSeconds, 3600);
  });

  it('reads quorum values and quorum token timeouts', () => {
    const file = write('quorum.yaml', [
      ...ADMIN,
      '    quorumPublicKey: keys/alice.pub',
      '  - username: officer',
      '    role: admin',
      '    password: officer-pass-1',
      '    quorumPublicKey: keys/officer.pub',
      'quorumValues:',
      '  user: 2',
      '  quorum: 1',
      'timeouts:',
      '  quorumGenerated: 5m',
      '  quorumApproved: 120',
    ]);
    const seed = loadSeedFile(file);
    assert.deepEqual(seed.quorumValues, { user: 2, quorum: 1 });
    assert.deepEqual(seed.quorumTimeouts, { generated: 300, approved: 120 });
  });

  it('reads the example seed of docs/ci.md as documented', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'ci.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    fs.writeFileSync(path.join(dir, 'keys', 'admin.pub'), testKeyPair('admin').publicPem);
    fs.writeFileSync(path.join(dir, 'keys', 'officer1.pub'), testKeyPair('officer').publicPem);
    const seed = loadSeedFile(write('docs-example.yaml', example));
    assert.deepEqual(
      seed.users.map((u) => [
        u.username,
        u.role,
        u.locked,
        u.mfaPublicKey !== null,
        u.quorumPublicKey !== null,
      ]),
      [
        ['admin', 'admin', false, false, true],
        ['officer1', 'admin', false, false, true],
        ['alice', 'crypto-user', true, true, true],
      ],
    );
    assert.deepEqual(seed.quorumValues, { user: 2 });
    assert.deepEqual(
      [seed.mfaTokenSeconds, seed.sessionIdleSeconds, seed.quorumTimeouts],
      [600, 1800, { generated: 600, approved: 600 }],
    );
  });

  it('reads the same seed written as JSON, and a seed object with an inline PEM key', () => {
    const file = write(
      'seed.json',
      JSON.stringify(
        {
          users: [
            { username: 'admin', role: 'admin', password: 'admin-pass-1' },
            {
              username: 'alice',
              role: 'crypto-user',
              password: 'alice-pass-1',
              mfaPublicKey: 'keys/alice.pub',
            },
          ],
        },
        null,
        2,
      ),
    );
    assert.deepEqual(
      loadSeedFile(file).users.map((u) => u.username),
      ['admin', 'alice'],
    );
    const seed = resolveSeed({
      users: [
        {
          username: 'admin',
          role: 'admin',
          password: 'admin-pass-1',
          mfaPublicKey: testKeyPair('alice').publicPem,
        },
      ],
    });
    assert.equal(seed.source, '<seed>');
    assert.equal(seed.users[0]!.mfaPublicKey, testKeyPair('alice').publicPem);
  });

  // Each case: the seed's lines after ADMIN (or whole), and the exact error.
  const CASES: { name: string; lines: string[]; message: string }[] = [
    {
      name: 'an unknown role',
      lines: [
        ...ADMIN,
        '  - username: bob',
        '    role: crypto-user',
        '    password: bob-pass-1',
        '  - username: carol',
        '    role: officer',
        '    password: carol-pass-1',
      ],
      message: "{file}:9: users[2].role: invalid value 'officer' (expected admin or crypto-user)",
    },
    {
      name: 'an unknown field (typo)',
      lines: [...ADMIN, '  - username: bob', '    role: crypto-user', '    pasword: bob-pass-1'],
      message:
        '{file}:5: users[1].password: is required\n' +
        '{file}:7: users[1].pasword: unknown field (expected username, role, password, mfaPublicKey, quorumPublicKey, locked)',
    },
    {
      name: 'a wrong type',
      lines: [...ADMIN, '    locked: yes'],
      message: '{file}:5: users[0].locked: expected true or false, got text',
    },
    {
      name: 'an invalid username',
      lines: [...ADMIN, '  - username: bob-smith', '    role: crypto-user', '    password: bob-pass-1'],
      message:
        "{file}:5: users[1].username: invalid username 'bob-smith': use 1 to 31 characters, letters, digits or '_' only",
    },
    {
      name: 'a short password (never echoed)',
      lines: [...ADMIN, '  - username: bob', '    role: crypto-user', '    password: short'],
      message: "{file}:7: users[1].password: invalid password: use 8 to 32 characters, without ':'",
    },
    {
      name: 'a user listed twice (case-insensitive)',
      lines: [...ADMIN, '  - username: ADMIN', '    role: admin', '    password: admin-pass-2'],
      message: "{file}:5: users[1].username: user 'admin' is already listed as users[0]",
    },
    {
      name: 'the built-in app_user',
      lines: [...ADMIN, '  - username: app_user', '    role: crypto-user', '    password: app-pass-12'],
      message: "{file}:5: users[1].username: 'app_user' is the built-in appliance user; it cannot be seeded",
    },
    {
      name: 'no initial admin',
      lines: ['users:', '  - username: alice', '    role: crypto-user', '    password: alice-pass-1'],
      message:
        "{file}:2: users: the initial admin 'admin' must be listed (role admin): its password activates the cluster",
    },
    {
      name: 'the initial admin as a crypto user',
      lines: ['users:', '  - username: admin', '    role: crypto-user', '    password: admin-pass-1'],
      message: "{file}:3: users[0].role: 'admin' is the initial admin: its role must be admin",
    },
    {
      name: 'every admin locked',
      lines: [...ADMIN, '    locked: true'],
      message:
        '{file}:2: users: every admin is locked: at least one admin must be unlocked to manage the cluster',
    },
    {
      name: 'a missing key file',
      lines: [...ADMIN, '    mfaPublicKey: keys/nobody.pub'],
      message:
        '{file}:5: users[0].mfaPublicKey: cannot read keys/nobody.pub as {dir}/keys/nobody.pub (ENOENT)',
    },
    {
      name: 'an RSA-3072 key',
      lines: [...ADMIN, '    quorumPublicKey: keys/big.pub'],
      message:
        '{file}:5: users[0].quorumPublicKey: invalid public key: it is RSA 3072-bit; an RSA 2048-bit key is required',
    },
    {
      name: 'a bad duration',
      lines: [...ADMIN, 'timeouts:', '  mfaToken: 10 minutes'],
      message:
        "{file}:6: timeouts.mfaToken: invalid value '10 minutes' (expected whole seconds from 1 to 9999999, or a duration such as 90s, 10m, 2h, 1h30m or 1d)",
    },
    {
      name: 'a quorum value out of range',
      lines: [...ADMIN, 'quorumValues:', '  user: 9'],
      message: '{file}:6: quorumValues.user: invalid value 9 (expected 1 for no quorum, or 2 to 8)',
    },
    {
      name: 'a quorum value with too few approvers (locked admins and admins without a key do not count)',
      lines: [
        ...ADMIN,
        '    quorumPublicKey: keys/alice.pub',
        '  - username: officer',
        '    role: admin',
        '    password: officer-pass-1',
        '    quorumPublicKey: keys/officer.pub',
        '    locked: true',
        'quorumValues:',
        '  user: 2',
      ],
      message:
        '{file}:12: quorumValues.user: 2 approvals need 2 approvers (unlocked admins with a quorum key); the seed has 1',
    },
    {
      name: 'a quorum token timeout out of range',
      lines: [...ADMIN, 'timeouts:', '  quorumApproved: 2d'],
      message:
        "{file}:6: timeouts.quorumApproved: invalid value '2d' (expected whole seconds from 1 to 86400, or a duration such as 90s, 10m, 2h, 1h30m or 1d)",
    },
    {
      name: 'an unknown top-level field',
      lines: [...ADMIN, 'user:', '  - username: x'],
      message: '{file}:5: user: unknown field (expected version, users, quorumValues, timeouts, keys)',
    },
    {
      name: 'another version',
      lines: ['version: 2', ...ADMIN],
      message: '{file}:1: version: invalid value 2 (expected 1)',
    },
    {
      name: 'users not a list',
      lines: ['users: admin'],
      message: '{file}:1: users: expected a list, got text',
    },
  ];
  for (const c of CASES) {
    it(`refuses ${c.name} with the file, line and field`, () => {
      const file = write(`case-${c.name.replace(/\W+/g, '-')}.yaml`, c.lines);
      assert.deepEqual(refusal(file), {
        code: 'ERR_SEED_INVALID',
        message: c.message.replaceAll('{file}', file).replaceAll('{dir}', path.dirname(file)),
      });
    });
  }

  it('locates problems in a JSON seed too', () => {
    const file = write('bad.json', [
      '{',
      '  "users": [',
      '    { "username": "admin", "role": "admin", "password": "admin-pass-1" },',
      '    { "username": "carol", "role": "officer", "password": "carol-pass-1" }',
      '  ]',
      '}',
    ]);
    assert.deepEqual(refusal(file), {
      code: 'ERR_SEED_INVALID',
      message: `${file}:4: users[1].role: invalid value 'officer' (expected admin or crypto-user)`,
    });
  });

  it('refuses a file that is not YAML, duplicate keys, an empty file and a missing file', () => {
    const syntax = write('syntax.yaml', ['users:', '  - username: admin', '    role: [admin']);
    assert.deepEqual(refusal(syntax), {
      code: 'ERR_SEED_SYNTAX',
      message: `${syntax}:4:1: not valid YAML or JSON: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    });
    const duplicate = write('duplicate.yaml', [...ADMIN, '    role: crypto-user']);
    assert.deepEqual(refusal(duplicate), {
      code: 'ERR_SEED_SYNTAX',
      message: `${duplicate}:5:5: not valid YAML or JSON: Map keys must be unique`,
    });
    const empty = write('empty.yaml', '');
    assert.deepEqual(refusal(empty), {
      code: 'ERR_SEED_INVALID',
      message: `${empty}: (top): the seed file is empty`,
    });
    const missing = path.join(dir, 'missing.yaml');
    assert.deepEqual(refusal(missing), {
      code: 'ERR_FILE',
      message: `Cannot read the seed file ${missing}: ENOENT`,
    });
  });

  it('refuses more users than the HSM type holds when the seed is read: 250 with app_user on hsm1.medium', async () => {
    const crowd = (n: number) =>
      write(`crowd-${n}.yaml`, [
        ...ADMIN,
        ...Array.from({ length: n - 1 }, (_, i) => [
          `  - username: user${i}`,
          '    role: crypto-user',
          '    password: user-pass-1',
        ]).flat(),
      ]);
    const full = crowd(249);
    assert.equal(loadSeedFile(full, 'hsm1.medium').users.length, 249);
    const over = crowd(250);
    assert.equal(loadSeedFile(over).users.length, 250, 'hsm2m.medium holds 1024');
    const message = `${over}:2: users: at most 249 users (an HSM of type hsm1.medium holds 250 with app_user)`;
    assert.throws(() => loadSeedFile(over, 'hsm1.medium'), { code: 'ERR_SEED_INVALID', message });
    // localhsm up refuses it before creating anything.
    const state = path.join(dir, 'hsm1-state');
    const up = await localhsm([
      'up',
      '--hsm-type',
      'hsm1.medium',
      '--seed',
      over,
      '--state',
      state,
      '--kdf',
      'fast',
    ]);
    assert.equal(up.exitCode, 1, up.stderr);
    assert.equal(up.stdout, '');
    assert.ok(up.stderr.includes(`error: ${message}`), up.stderr);
    assert.equal(fs.existsSync(path.join(state, 'cluster.json')), false);
  });

  it('refuses a seed object with the field but no line', () => {
    assert.throws(
      () => resolveSeed({ users: [{ username: 'admin', role: 'officer', password: 'admin-pass-1' }] }),
      {
        code: 'ERR_SEED_INVALID',
        message: "<seed>: users[0].role: invalid value 'officer' (expected admin or crypto-user)",
      },
    );
  });
});

describe('durations', () => {
  it('parses what people type and refuses the rest', () => {
    const cases: [string, number | undefined][] = [
      ['90s', 90_000],
      ['10m', 600_000],
      ['2h', 7_200_000],
      ['1h30m', 5_400_000],
      ['1d', 86_400_000],
      ['500ms', 500],
      ['0s', 0],
      ['10', undefined],
      ['10 m', undefined],
      ['-5m', undefined],
      ['1y', undefined],
      ['', undefined],
      ['36500d', 36500 * 86_400_000],
      ['36501d', undefined],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
    assert.deepEqual([0, 500, 90_000, 5_400_000, 90_061_000].map(formatDuration), [
      '0s',
      '500ms',
      '1m30s',
      '1h30m',
      '1d1h1m1s',
    ]);
  });
});
