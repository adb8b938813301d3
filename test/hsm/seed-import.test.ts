// Node side of seeding: a new HSM is activated and filled from a seed with the operations' own rules, in one
// transaction, audited; an HSM in use is never seeded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HsmError } from '../../src/errors.js';
import { MAX_FAILED_LOGINS } from '../../src/hsm/ops/login.js';
import { type SeedState, type SeedUserState, importSeed } from '../../src/hsm/seed-import.js';
import { verifyPassword, KDF_PROFILES } from '../../src/hsm/password.js';
import { signToken } from '../../src/tokens/token-sign.js';
import { testKeyPair } from '../helpers/keys.js';
import { NODE_ADMIN_PASSWORD, makeNode, refusal, success } from '../helpers/node.js';

const user = (username: string, role: string, extra: Partial<SeedUserState> = {}): SeedUserState => ({
  username,
  role,
  password: `${username}-pass-1`,
  mfaPublicKey: null,
  quorumPublicKey: null,
  locked: false,
  ...extra,
});

const SEED: SeedState = {
  users: [
    user('admin', 'admin'),
    user('alice', 'crypto-user', {
      mfaPublicKey: testKeyPair('alice').publicPem,
      quorumPublicKey: testKeyPair('alice').publicPem,
    }),
    user('officer', 'admin', { quorumPublicKey: testKeyPair('officer').publicPem, locked: true }),
  ],
  mfaTokenSeconds: 90,
  sessionIdleSeconds: 120,
};

describe('seed import (node side)', () => {
  it('activates the HSM with the seed admin password and adds users, keys, locks and settings', async () => {
    const { node, store, send } = await makeNode();
    await importSeed(store, SEED);
    const users = Object.fromEntries(store.listUsers().map((u) => [u.username, u]));
    assert.deepEqual(Object.keys(users), ['admin', 'app_user', 'alice', 'officer']);
    assert.equal(users.admin!.role, 'admin');
    assert.ok(await verifyPassword('admin-pass-1', users.admin!.passwordHash, KDF_PROFILES.fast));
    assert.ok(users.alice!.passwordHash!.startsWith('scrypt$v=1$N=1024,'), 'hashed with the HSM kdf');
    assert.equal(users.alice!.mfaPublicKey, testKeyPair('alice').publicPem);
    assert.equal(users.officer!.quorumPublicKey, testKeyPair('officer').publicPem);
    assert.equal(users.officer!.mfaPublicKey, null);
    assert.deepEqual([users.officer!.locked, users.officer!.failedLogins], [true, MAX_FAILED_LOGINS]);
    assert.equal(store.getSetting('mfa_token_seconds'), '90');
    assert.equal(store.getSetting('session_idle_seconds'), '120');
    assert.deepEqual(
      store.listAudit().map((e) => [e.actor, e.operation, e.target, e.result]),
      [
        ['-', 'seed-import', 'admin', 'ok'],
        ['-', 'seed-import', 'alice', 'ok'],
        ['-', 'seed-import', 'officer', 'ok'],
      ],
    );
    // The seeded state behaves as if made by the operations: the admin logs in, the locked admin is refused,
    // alice needs MFA and her seeded key signs her login.
    const session = node.openSession();
    success(await send(session, 'login', { username: 'admin', role: 'admin', password: 'admin-pass-1' }));
    assert.equal(
      refusal(
        await send(node.openSession(), 'login', {
          username: 'officer',
          role: 'admin',
          password: 'officer-pass-1',
        }),
      ).code,
      'ERR_USER_LOCKED',
    );
    const aliceSession = node.openSession();
    assert.equal(
      refusal(
        await send(aliceSession, 'login', {
          username: 'alice',
          role: 'crypto-user',
          password: 'alice-pass-1',
        }),
      ).code,
      'ERR_MFA_REQUIRED',
    );
    const { token } = success(
      await send(aliceSession, 'login-mfa-start', {
        username: 'alice',
        role: 'crypto-user',
        password: 'alice-pass-1',
      }),
    ) as { token: string };
    const signature = signToken(testKeyPair('alice').privateKey, Buffer.from(token, 'base64')).toString(
      'base64',
    );
    success(await send(aliceSession, 'login-mfa-finish', { token, signature, commit: false }));
    assert.deepEqual(
      success(await send(aliceSession, 'login-mfa-finish', { token, signature, commit: true })),
      {
        username: 'alice',
        role: 'crypto-user',
        committed: true,
      },
    );
  });

  it('sets quorum values and token timeouts once the approvers are in place, with the guard of set-quorum-value', async () => {
    const { store } = await makeNode();
    const officer = user('officer', 'admin', { quorumPublicKey: testKeyPair('officer').publicPem });
    const admin = user('admin', 'admin', { quorumPublicKey: testKeyPair('alice').publicPem });
    await importSeed(store, {
      users: [admin, officer],
      quorumValues: { user: 2 },
      quorumTimeouts: { generated: 300, approved: 60 },
    });
    assert.deepEqual(
      (
        [
          'quorum_value_user',
          'quorum_value_quorum',
          'quorum_timeout_generated',
          'quorum_timeout_approved',
        ] as const
      ).map((k) => store.getSetting(k)),
      ['2', undefined, '300', '60'],
    );
    const short = await makeNode();
    await assert.rejects(
      importSeed(short.store, { users: [admin, { ...officer, locked: true }], quorumValues: { user: 2 } }),
      {
        code: 'ERR_QUORUM_GUARD_VALUE',
        message:
          'Refused: a quorum value of 2 for service user needs 2 quorum approvers, but only 1 approver can approve it (refused by the quorum guard; use --allow-unmanageable to override)',
      },
    );
    assert.deepEqual(
      short.store.listUsers().map((u) => u.username),
      ['admin', 'app_user'],
      'nothing was imported',
    );
    const bad = await makeNode();
    await assert.rejects(importSeed(bad.store, { users: [admin], quorumValues: { user: 9 } }), {
      code: 'ERR_QUORUM_VALUE',
    });
    await assert.rejects(importSeed(bad.store, { users: [admin], quorumTimeouts: { approved: 0 } }), {
      code: 'ERR_QUORUM_TIMEOUT',
    });
  });

  it('is refused on an activated HSM and changes nothing', async () => {
    const { store } = await makeNode({ activated: true });
    const before = store.listUsers();
    await assert.rejects(importSeed(store, SEED), {
      code: 'ERR_STATE',
      message: 'a seed is only imported into a new cluster that is not activated',
    });
    assert.deepEqual(store.listUsers(), before);
    assert.ok(
      await verifyPassword(NODE_ADMIN_PASSWORD, store.getUser('admin')!.passwordHash, KDF_PROFILES.fast),
    );
  });

  it("applies the operations' rules (names, roles, passwords, keys) and changes nothing when one fails", async () => {
    const cases: [SeedState, string, string][] = [
      [
        { users: [user('admin', 'admin'), user('bob-smith', 'crypto-user')] },
        'ERR_INVALID_USERNAME',
        "Invalid username 'bob-smith'",
      ],
      [
        { users: [user('admin', 'admin'), user('bob', 'officer')] },
        'ERR_INVALID_ROLE',
        "Invalid role 'officer'",
      ],
      [
        { users: [user('admin', 'admin', { password: 'short' })] },
        'ERR_INVALID_PASSWORD',
        'Invalid password',
      ],
      [
        { users: [user('admin', 'admin', { mfaPublicKey: testKeyPair('big', 3072).publicPem })] },
        'ERR_BAD_PUBLIC_KEY',
        'Invalid public key: it is RSA 3072-bit',
      ],
      [{ users: [user('alice', 'crypto-user')] }, 'ERR_STATE', "seed: the initial admin 'admin' is missing"],
      [
        { users: [user('admin', 'admin'), user('ADMIN', 'admin')] },
        'ERR_STATE',
        'seed: a user is listed twice',
      ],
      [
        { users: [user('admin', 'admin')], mfaTokenSeconds: 0 },
        'ERR_STATE',
        'seed: the MFA token lifetime must be whole seconds',
      ],
    ];
    for (const [seed, code, start] of cases) {
      const { store } = await makeNode();
      const before = store.listUsers();
      await assert.rejects(importSeed(store, seed), (error: unknown) => {
        assert.ok(error instanceof HsmError);
        assert.equal(error.code, code);
        assert.ok(error.message.startsWith(start), error.message);
        return true;
      });
      assert.deepEqual(store.listUsers(), before, code);
      assert.deepEqual(store.listAudit(), []);
    }
  });
});
