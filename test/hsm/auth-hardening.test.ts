// Issue 13 on one node: no password oracle (cluster-activate, user-create), lock-out under concurrency, login
// vs password change, RSA exponents, password characters. Counts scrypt derivations to see what was evaluated.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { hashPassword } from '../../src/hsm/password.js';
import { SHA256_DIGEST_INFO, signToken } from '../../src/tokens/token-sign.js';
import { testKeyPair } from '../helpers/keys.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../helpers/typed-node.js';

const PW = 'alice-pass-1';

/** Counts calls of crypto.scrypt (every password derivation of the node goes through it). */
const derivations = { count: 0 };
const realScrypt = crypto.scrypt;
before(() => {
  (crypto as { scrypt: unknown }).scrypt = (...args: unknown[]) => {
    derivations.count++;
    return (realScrypt as (...a: unknown[]) => void)(...args);
  };
});
after(() => {
  (crypto as { scrypt: unknown }).scrypt = realScrypt;
});

async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; derived: number }> {
  const start = derivations.count;
  const value = await fn();
  return { value, derived: derivations.count - start };
}

let t: TestNode;
beforeEach(async () => {
  t = await startTestNode();
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  await t.ok(admin, 'user-create', { username: 'alice', role: 'crypto-user', password: PW });
  await t.ok(admin, 'logout', {});
});

describe('cluster-activate on an activated HSM (item 1)', () => {
  it('gives one answer for the right and a wrong password, derives nothing and counts nothing', async () => {
    const answers = [];
    for (const password of [NODE_ADMIN_PASSWORD, 'wrong-pass-1']) {
      const { value, derived } = await counted(() => t.call(t.session(), 'cluster-activate', { password }));
      answers.push({ reply: value.ok ? value.result : value.error, derived });
    }
    const refused = {
      reply: {
        code: 'ERR_CLUSTER_ALREADY_ACTIVE',
        message: 'Cluster has already been activated',
        params: {},
      },
      derived: 0,
    };
    assert.deepEqual(answers, [refused, refused]);
    assert.equal(t.store.getUser('admin')!.failedLogins, 0);
  });

  it('answers the same when admin is locked', async () => {
    for (let i = 0; i < 5; i++)
      await t.fails(t.session(), 'login', { username: 'admin', role: 'admin', password: 'wrong-pass-1' });
    assert.equal(t.store.getUser('admin')!.locked, true);
    const right = await t.fails(t.session(), 'cluster-activate', { password: NODE_ADMIN_PASSWORD });
    assert.equal(right.code, 'ERR_CLUSTER_ALREADY_ACTIVE');
  });
});

describe('user-create of an existing user (item 2)', () => {
  it('refuses with the same answer whatever the password, without deriving', async () => {
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    const answers = [];
    for (const password of [PW, 'wrong-pass-1']) {
      const { value, derived } = await counted(() =>
        t.call(admin, 'user-create', { username: 'alice', role: 'crypto-user', password }),
      );
      answers.push({ reply: value.ok ? value.result : value.error, derived });
    }
    const refused = {
      reply: { code: 'ERR_USER_EXISTS', message: 'User already exists', params: { username: 'alice' } },
      derived: 0,
    };
    assert.deepEqual(answers, [refused, refused]);
  });
});

describe('lock-out under concurrency (item 3)', () => {
  const N = 40;
  for (const op of ['login', 'login-mfa-start'] as const) {
    it(`${N} parallel ${op} attempts evaluate at most 5 passwords; the right one, 20th, is refused as locked`, async () => {
      if (op === 'login-mfa-start')
        t.store.updateUser({
          ...t.store.getUser('alice')!,
          mfaPublicKey: testKeyPair('mfa-key-1').publicPem,
        });
      const sessions = Array.from({ length: N }, () => t.session());
      const { value: replies, derived } = await counted(() =>
        Promise.all(
          sessions.map((s, i) =>
            t.call(s, op, {
              username: 'alice',
              role: 'crypto-user',
              password: i === 19 ? PW : `wrong-pass-${i}`,
            }),
          ),
        ),
      );
      const codes: Record<string, number> = {};
      for (const r of replies) {
        const code = r.ok ? 'OK' : r.error.code;
        codes[code] = (codes[code] ?? 0) + 1;
      }
      assert.deepEqual(codes, { ERR_LOGIN_FAILED: 5, ERR_USER_LOCKED: N - 5 });
      assert.equal(derived, 5);
      const right = replies[19]!;
      assert.equal(right.ok ? 'OK' : right.error.code, 'ERR_USER_LOCKED');
      assert.deepEqual([t.store.getUser('alice')!.locked, t.store.getUser('alice')!.failedLogins], [true, 5]);
    });
  }

  it('a right password among 4 wrong ones in flight still logs in (only failures lock)', async () => {
    const replies = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        t.call(t.session(), 'login', {
          username: 'alice',
          role: 'crypto-user',
          password: i === 2 ? PW : `wrong-pass-${i}`,
        }),
      ),
    );
    assert.deepEqual(
      replies.map((r) => (r.ok ? 'OK' : r.error.code)),
      ['ERR_LOGIN_FAILED', 'ERR_LOGIN_FAILED', 'OK', 'ERR_LOGIN_FAILED', 'ERR_LOGIN_FAILED'],
    );
    assert.equal(t.store.getUser('alice')!.locked, false);
  });
});

describe('login vs a password change (item 5)', () => {
  it('a plain login checked against the old password does not complete once the change has committed', async () => {
    const newHash = await hashPassword('alice-new-1', t.node.kdf);
    const session = t.session();
    const pending = t.call(session, 'login', { username: 'alice', role: 'crypto-user', password: PW });
    // The change commits while the login's derivation (against the old hash) is running: written here
    // directly, as user-change-password's own derivation could finish before or after the login's.
    t.store.transaction(() => t.store.updateUser({ ...t.store.getUser('alice')!, passwordHash: newHash }));
    const reply = await pending;
    assert.equal(reply.ok ? 'OK' : reply.error.code, 'ERR_LOGIN_FAILED');
    assert.equal(session.user, undefined);
  });

  it('an MFA login whose password step used the old password is refused at commit', async () => {
    const keys = testKeyPair('mfa-key-1');
    t.store.updateUser({ ...t.store.getUser('alice')!, mfaPublicKey: keys.publicPem });
    const session = t.session();
    const { token } = await t.ok(session, 'login-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: PW,
    });
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    await t.ok(admin, 'user-change-password', {
      username: 'alice',
      role: 'crypto-user',
      password: 'alice-new-1',
    });
    const signature = signToken(keys.privateKey, Buffer.from(token, 'base64')).toString('base64');
    await t.ok(session, 'login-mfa-finish', { token, signature, commit: false });
    const e = await t.fails(session, 'login-mfa-finish', { token, signature, commit: true });
    assert.equal(e.code, 'ERR_LOGIN_FAILED');
    assert.equal(session.user, undefined);
  });
});

describe('MFA and quorum public keys (item 13)', () => {
  const base = testKeyPair('mfa-key-1');
  const withExponent = (e: string) =>
    crypto
      .createPublicKey({ key: { ...base.publicKey.export({ format: 'jwk' }), e }, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();

  it('refuses e = 1, whose "signature" is just the padded token, with a clear message', async () => {
    const alice = await t.login('alice', PW, 'crypto-user');
    const { token } = await t.ok(alice, 'change-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: 'alice-new-1',
    });
    // With e = 1, s^e mod n = s: the PKCS#1 v1.5 block itself "verifies", no private key needed.
    const block = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.alloc(256 - 3 - SHA256_DIGEST_INFO.length - 32, 0xff),
      Buffer.from([0]),
      SHA256_DIGEST_INFO,
      Buffer.from(token, 'base64'),
    ]);
    const e = await t.fails(alice, 'change-mfa-finish', {
      token,
      signature: block.toString('base64'),
      publicKey: withExponent('AQ'),
      commit: false,
    });
    assert.deepEqual(
      [e.code, e.message],
      [
        'ERR_BAD_PUBLIC_KEY',
        'Invalid public key: its public exponent is 1; an odd exponent of at least 65537 (and below 2^256) is required',
      ],
    );
    assert.equal(t.store.getUser('alice')!.mfaPublicKey, null);
  });

  it('refuses e = 3 and an even exponent on quorum registration too', async () => {
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    for (const [e, shown] of [
      ['Aw', '3'],
      ['AQAC', '65538'],
    ]) {
      const start = await t.ok(admin, 'quorum-register-start', {});
      const tokens = [{ approvalData: start.approvalData, unsigned: start.unsigned, signed: 'AAAA' }];
      const error = await t.fails(admin, 'quorum-register-finish', {
        publicKey: withExponent(e!),
        tokens,
        commit: false,
      });
      assert.equal(error.code, 'ERR_BAD_PUBLIC_KEY');
      assert.match(error.message, new RegExp(`its public exponent is ${shown};`));
    }
  });
});

describe('password characters and length (item 19)', () => {
  it('refuses C0, DEL and C1 control characters with a clear message', async () => {
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    for (const password of [
      'pass\nword12',
      'pass\u001bword12',
      '\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008',
      'pass\u007fword',
      'pass\u0085word',
    ]) {
      const e = await t.fails(admin, 'user-create', { username: 'bob', role: 'crypto-user', password });
      assert.deepEqual(
        [e.code, e.message],
        [
          'ERR_PASSWORD_CONTROL_CHARACTER',
          'Invalid password: control characters (U+0000 to U+001F, U+007F to U+009F) are not allowed',
        ],
      );
    }
    assert.equal(t.store.getUser('bob'), undefined);
  });

  it('counts length in code points: 32 emoji are allowed, 33 are not, 7 are too short', async () => {
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    await t.ok(admin, 'user-create', { username: 'bob', role: 'crypto-user', password: '😀'.repeat(32) });
    const long = await t.fails(admin, 'user-create', {
      username: 'carol',
      role: 'crypto-user',
      password: '😀'.repeat(33),
    });
    const short = await t.fails(admin, 'user-create', {
      username: 'carol',
      role: 'crypto-user',
      password: '😀'.repeat(7),
    });
    assert.deepEqual([long.code, short.code], ['ERR_INVALID_PASSWORD', 'ERR_INVALID_PASSWORD']);
    await t.ok(admin, 'logout', {});
    await t.login('bob', '😀'.repeat(32), 'crypto-user');
  });
});
