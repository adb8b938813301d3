// The MFA wire operations on one node, called through HsmNode.handle with a memory store and a manual clock.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import { formatMessage, type ErrorCode, type ErrorParams } from '../../src/errors.js';
import { MAX_TOKENS_PER_SESSION } from '../../src/hsm/challenge.js';
import { DEFAULT_MFA_TOKEN_SECONDS } from '../../src/hsm/settings.js';
import { HsmNode } from '../../src/hsm/node.js';
import { provisionHsm } from '../../src/hsm/provision.js';
import type { Session } from '../../src/hsm/session.js';
import { MemoryStore } from '../../src/hsm/store/memory.js';
import { signToken } from '../../src/tokens/token-sign.js';
import { ManualClock } from '../helpers/cluster.js';
import { testKeyPair, type TestKeyPair } from '../helpers/keys.js';

const ADMIN_PW = 'admin-password';
const ALICE_PW = 'alice-password';

let node: HsmNode;
let store: MemoryStore;
let clock: ManualClock;
let nextId = 1;

async function call(
  session: Session,
  op: string,
  args: unknown,
): Promise<{ ok: boolean; result?: any; code?: string; message?: string }> {
  const reply = await node.handle({ v: 1, id: nextId++, op, args }, session);
  return reply.ok
    ? { ok: true, result: reply.result }
    : { ok: false, code: reply.error.code, message: reply.error.message };
}

async function ok(session: Session, op: string, args: unknown): Promise<any> {
  const reply = await call(session, op, args);
  assert.ok(reply.ok, `${op} failed: ${reply.message}`);
  return reply.result;
}

async function refused(
  session: Session,
  op: string,
  args: unknown,
  code: ErrorCode,
  params: ErrorParams = {},
): Promise<void> {
  const reply = await call(session, op, args);
  assert.equal(reply.ok, false, `${op} should have been refused with ${code}`);
  assert.equal(reply.code, code, reply.message);
  assert.equal(reply.message, formatMessage(code, params));
}

const sign = (keys: TestKeyPair, token: string) =>
  signToken(keys.privateKey, Buffer.from(token, 'base64')).toString('base64');

async function loggedIn(username: string, role: string, password: string): Promise<Session> {
  const session = node.openSession();
  await ok(session, 'login', { username, role, password });
  return session;
}

/** Runs the whole change-mfa exchange on one session and returns the commit's result. */
async function changeMfa(
  session: Session,
  username: string,
  role: string,
  keys: TestKeyPair,
  options: { password?: string; changeQuorum?: boolean } = {},
) {
  const { token } = await ok(session, 'change-mfa-start', {
    username,
    role,
    password: options.password ?? ALICE_PW,
    changeQuorum: options.changeQuorum,
  });
  const finish = { token, signature: sign(keys, token), publicKey: keys.publicPem };
  assert.deepEqual(await ok(session, 'change-mfa-finish', { ...finish, commit: false }), {
    username,
    role,
    committed: false,
  });
  return ok(session, 'change-mfa-finish', { ...finish, commit: true });
}

async function mfaLogin(
  username: string,
  role: string,
  password: string,
  keys: TestKeyPair,
): Promise<Session> {
  const session = node.openSession();
  const { token } = await ok(session, 'login-mfa-start', { username, role, password });
  const finish = { token, signature: sign(keys, token) };
  assert.equal((await ok(session, 'login-mfa-finish', { ...finish, commit: false })).committed, false);
  assert.equal(session.user, undefined, 'verification alone does not log in');
  assert.deepEqual(await ok(session, 'login-mfa-finish', { ...finish, commit: true }), {
    username,
    role,
    committed: true,
  });
  return session;
}

const alice = () => store.getUser('alice')!;
const key1 = () => testKeyPair('mfa-key-1');
const key2 = () => testKeyPair('mfa-key-2');

beforeEach(async () => {
  store = new MemoryStore();
  provisionHsm(store, {
    hsmId: 'hsm-aaaaaaaaaaa',
    clusterId: 'cluster-aaaaaaaaaaa',
    serialNumber: 'LHSM-1',
    kdf: 'fast',
  });
  clock = new ManualClock();
  node = new HsmNode(store, { clock });
  const setup = node.openSession();
  await ok(setup, 'cluster-activate', { password: ADMIN_PW });
  await ok(setup, 'login', { username: 'admin', role: 'admin', password: ADMIN_PW });
  await ok(setup, 'user-create', { username: 'alice', role: 'crypto-user', password: ALICE_PW });
  await ok(setup, 'user-create', { username: 'bob', role: 'crypto-user', password: 'bob-password' });
  node.closeSession(setup);
});

describe('change-mfa (register and rotate)', () => {
  it('lets a user register their own key: MFA and quorum set, password changed, token gone', async () => {
    const session = await loggedIn('alice', 'crypto-user', ALICE_PW);
    const result = await changeMfa(session, 'alice', 'crypto-user', key1(), { password: 'alice-new-pw' });
    assert.deepEqual(result, { username: 'alice', role: 'crypto-user', committed: true });
    assert.equal(alice().mfaPublicKey, key1().publicPem);
    assert.equal(
      alice().quorumPublicKey,
      key1().publicPem,
      'a user with no quorum key gets the MFA key as quorum key',
    );
    assert.equal(node.challenges.size, 0);
    const list = await ok(session, 'user-list', {});
    assert.deepEqual(
      list.users.find((u: { username: string }) => u.username === 'alice'),
      {
        username: 'alice',
        role: 'crypto-user',
        locked: false,
        mfa: true,
        quorum: true,
      },
    );
    await ok(session, 'logout', {});
    await refused(
      node.openSession(),
      'login-mfa-start',
      { username: 'alice', role: 'crypto-user', password: ALICE_PW },
      'ERR_LOGIN_FAILED',
    );
    await mfaLogin('alice', 'crypto-user', 'alice-new-pw', key1());
  });

  it('lets an admin register a key for another user', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    await changeMfa(admin, 'alice', 'crypto-user', key1());
    assert.equal(alice().mfaPublicKey, key1().publicPem);
  });

  it('keeps an existing quorum key on rotation unless changeQuorum is set', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    await changeMfa(admin, 'alice', 'crypto-user', key1());
    await changeMfa(admin, 'alice', 'crypto-user', key2());
    assert.equal(alice().mfaPublicKey, key2().publicPem);
    assert.equal(alice().quorumPublicKey, key1().publicPem);
    await changeMfa(admin, 'alice', 'crypto-user', key2(), { changeQuorum: true });
    assert.equal(alice().quorumPublicKey, key2().publicPem);
  });

  it('stores the key as canonical SPKI PEM whatever PEM form was sent', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    const pkcs1 = key1().publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const { token } = await ok(admin, 'change-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    const finish = { token, signature: sign(key1(), token), publicKey: pkcs1 };
    await ok(admin, 'change-mfa-finish', { ...finish, commit: false });
    await ok(admin, 'change-mfa-finish', { ...finish, commit: true });
    assert.equal(alice().mfaPublicKey, key1().publicPem);
  });

  it("refuses another user's MFA to a crypto user, app_user, and a wrong role", async () => {
    const session = await loggedIn('bob', 'crypto-user', 'bob-password');
    const args = { role: 'crypto-user', password: 'new-password' };
    await refused(session, 'change-mfa-start', { ...args, username: 'alice' }, 'ERR_PERMISSION_DENIED', {
      role: 'crypto-user',
      action: "change another user's MFA",
    });
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    await refused(admin, 'change-mfa-start', { ...args, username: 'app_user' }, 'ERR_BUILTIN_USER', {
      username: 'app_user',
    });
    await refused(
      admin,
      'change-mfa-start',
      { ...args, username: 'alice', role: 'admin' },
      'ERR_ROLE_MISMATCH',
      { username: 'alice', role: 'admin' },
    );
    await refused(admin, 'change-mfa-deregister', { ...args, username: 'app_user' }, 'ERR_BUILTIN_USER', {
      username: 'app_user',
    });
    await refused(
      node.openSession(),
      'change-mfa-start',
      { ...args, username: 'alice' },
      'ERR_NOT_LOGGED_IN',
    );
    await refused(
      admin,
      'change-mfa-start',
      { ...args, username: 'alice', password: 'short' },
      'ERR_INVALID_PASSWORD',
    );
    assert.equal(node.challenges.size, 0);
  });

  it('refuses while the target is logged in on another session, at start and at commit', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    const aliceSession = await loggedIn('alice', 'crypto-user', ALICE_PW);
    const args = { username: 'alice', role: 'crypto-user', password: 'new-password' };
    await refused(admin, 'change-mfa-start', args, 'ERR_USER_LOGGED_IN', {
      action: 'change the MFA of',
      username: 'alice',
    });
    await ok(aliceSession, 'logout', {});
    const { token } = await ok(admin, 'change-mfa-start', args);
    const finish = { token, signature: sign(key1(), token), publicKey: key1().publicPem };
    await ok(admin, 'change-mfa-finish', { ...finish, commit: false });
    await ok(aliceSession, 'login', { username: 'alice', role: 'crypto-user', password: ALICE_PW });
    await refused(admin, 'change-mfa-finish', { ...finish, commit: true }, 'ERR_USER_LOGGED_IN', {
      action: 'change the MFA of',
      username: 'alice',
    });
    assert.equal(alice().mfaPublicKey, null);
  });

  it('accepts only RSA 2048-bit keys', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    const { token } = await ok(admin, 'change-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const signature = sign(key1(), token);
    await refused(
      admin,
      'change-mfa-finish',
      { token, signature, publicKey: small.publicKey.export({ type: 'spki', format: 'pem' }), commit: false },
      'ERR_BAD_PUBLIC_KEY',
      {
        detail: 'it is RSA 1024-bit; an RSA 2048-bit key is required',
      },
    );
    const { token: t2 } = await ok(admin, 'change-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await refused(
      admin,
      'change-mfa-finish',
      {
        token: t2,
        signature,
        publicKey: ec.publicKey.export({ type: 'spki', format: 'pem' }),
        commit: false,
      },
      'ERR_BAD_PUBLIC_KEY',
      {
        detail: 'it is a ec key; an RSA 2048-bit key is required',
      },
    );
    assert.equal(alice().mfaPublicKey, null);
  });

  it('requires proof of possession of the NEW key', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    await changeMfa(admin, 'alice', 'crypto-user', key1());
    const { token } = await ok(admin, 'change-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    // Signed with the registered (old) key, but claiming the new one.
    await refused(
      admin,
      'change-mfa-finish',
      { token, signature: sign(key1(), token), publicKey: key2().publicPem, commit: false },
      'ERR_TOKEN_SIGNATURE_INVALID',
      {
        key: 'new',
      },
    );
    assert.equal(alice().mfaPublicKey, key1().publicPem);
    // The refused token is gone: one chance per token.
    await refused(
      admin,
      'change-mfa-finish',
      { token, signature: sign(key2(), token), publicKey: key2().publicPem, commit: false },
      'ERR_TOKEN_UNKNOWN',
    );
  });

  it('commits only what was verified, and only after verification', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    const start = { username: 'alice', role: 'crypto-user', password: ALICE_PW };
    const { token } = await ok(admin, 'change-mfa-start', start);
    await refused(
      admin,
      'change-mfa-finish',
      { token, signature: sign(key1(), token), publicKey: key1().publicPem, commit: true },
      'ERR_TOKEN_NOT_VERIFIED',
    );
    const { token: t2 } = await ok(admin, 'change-mfa-start', start);
    await ok(admin, 'change-mfa-finish', {
      token: t2,
      signature: sign(key1(), t2),
      publicKey: key1().publicPem,
      commit: false,
    });
    await refused(
      admin,
      'change-mfa-finish',
      { token: t2, signature: sign(key2(), t2), publicKey: key2().publicPem, commit: true },
      'ERR_TOKEN_NOT_VERIFIED',
    );
    assert.equal(alice().mfaPublicKey, null);
    assert.equal(node.challenges.size, 0);
  });

  it('binds the token to the login that asked for it', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    const { token } = await ok(admin, 'change-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    const finish = { token, signature: sign(key1(), token), publicKey: key1().publicPem, commit: false };
    const other = await loggedIn('admin', 'admin', ADMIN_PW);
    await refused(other, 'change-mfa-finish', finish, 'ERR_TOKEN_UNKNOWN');
    await ok(admin, 'logout', {});
    await refused(admin, 'change-mfa-finish', finish, 'ERR_NOT_LOGGED_IN');
    await ok(admin, 'login', { username: 'bob', role: 'crypto-user', password: 'bob-password' });
    await refused(admin, 'change-mfa-finish', finish, 'ERR_TOKEN_UNKNOWN');
    assert.equal(alice().mfaPublicKey, null);
  });

  it('does not unlock a locked user', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    store.updateUser({ ...alice(), locked: true, failedLogins: 5 });
    await changeMfa(admin, 'alice', 'crypto-user', key1());
    assert.equal(alice().locked, true);
    assert.equal(alice().failedLogins, 5);
  });
});

describe('change-mfa-deregister', () => {
  it('removes the MFA key and the quorum key that came with it, and sets the password', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    await changeMfa(admin, 'alice', 'crypto-user', key1());
    assert.deepEqual(
      await ok(admin, 'change-mfa-deregister', {
        username: 'alice',
        role: 'crypto-user',
        password: 'alice-pw-3',
      }),
      {
        username: 'alice',
        role: 'crypto-user',
      },
    );
    assert.equal(alice().mfaPublicKey, null);
    assert.equal(alice().quorumPublicKey, null);
    await loggedIn('alice', 'crypto-user', 'alice-pw-3');
  });

  it('keeps a quorum key registered on its own unless changeQuorum is set', async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    store.updateUser({ ...alice(), quorumPublicKey: key2().publicPem });
    await ok(admin, 'change-mfa-deregister', {
      username: 'alice',
      role: 'crypto-user',
      password: 'alice-pw-3',
    });
    assert.equal(alice().quorumPublicKey, key2().publicPem);
    await ok(admin, 'change-mfa-deregister', {
      username: 'alice',
      role: 'crypto-user',
      password: 'alice-pw-3',
      changeQuorum: true,
    });
    assert.equal(alice().quorumPublicKey, null);
  });
});

describe('login-mfa', () => {
  beforeEach(async () => {
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    await changeMfa(admin, 'alice', 'crypto-user', key1());
    node.closeSession(admin);
  });

  it('refuses a plain login and logs in with a signed token after verification', async () => {
    await refused(
      node.openSession(),
      'login',
      { username: 'alice', role: 'crypto-user', password: ALICE_PW },
      'ERR_MFA_REQUIRED',
      {
        username: 'alice',
        role: 'crypto-user',
      },
    );
    const session = await mfaLogin('alice', 'crypto-user', ALICE_PW, key1());
    assert.deepEqual(session.user, { username: 'alice', role: 'crypto-user' });
    assert.equal(node.challenges.size, 0);
  });

  it('refuses mfa login to a user without MFA', async () => {
    await refused(
      node.openSession(),
      'login-mfa-start',
      { username: 'bob', role: 'crypto-user', password: 'bob-password' },
      'ERR_MFA_NOT_ENABLED',
      {
        username: 'bob',
        role: 'crypto-user',
      },
    );
  });

  it('counts wrong passwords like login, with the same message, up to the lock', async () => {
    const session = node.openSession();
    const wrong = { username: 'alice', role: 'crypto-user', password: 'wrong-password' };
    await refused(session, 'login-mfa-start', { ...wrong, username: 'nobody' }, 'ERR_LOGIN_FAILED');
    for (let i = 0; i < 5; i++) await refused(session, 'login-mfa-start', wrong, 'ERR_LOGIN_FAILED');
    assert.equal(alice().locked, true);
    await refused(session, 'login-mfa-start', { ...wrong, password: ALICE_PW }, 'ERR_USER_LOCKED', {
      username: 'alice',
    });
  });

  it('resets the failure count only when the login completes', async () => {
    const session = node.openSession();
    await refused(
      session,
      'login-mfa-start',
      { username: 'alice', role: 'crypto-user', password: 'wrong-password' },
      'ERR_LOGIN_FAILED',
    );
    await ok(session, 'login-mfa-start', { username: 'alice', role: 'crypto-user', password: ALICE_PW });
    assert.equal(alice().failedLogins, 1);
    await mfaLogin('alice', 'crypto-user', ALICE_PW, key1());
    assert.equal(alice().failedLogins, 0);
  });

  it('refuses a wrong key, a sha256 re-hash signature and malformed signatures, one chance per token', async () => {
    const session = node.openSession();
    const start = { username: 'alice', role: 'crypto-user', password: ALICE_PW };
    let { token } = await ok(session, 'login-mfa-start', start);
    await refused(
      session,
      'login-mfa-finish',
      { token, signature: sign(key2(), token), commit: false },
      'ERR_TOKEN_SIGNATURE_INVALID',
      { key: 'registered MFA' },
    );
    await refused(
      session,
      'login-mfa-finish',
      { token, signature: sign(key1(), token), commit: false },
      'ERR_TOKEN_UNKNOWN',
    );

    // The usual PKCS#11 / library mistake: hashing the token again before signing.
    ({ token } = await ok(session, 'login-mfa-start', start));
    const rehashed = crypto
      .sign('sha256', Buffer.from(token, 'base64'), key1().privateKey)
      .toString('base64');
    await refused(
      session,
      'login-mfa-finish',
      { token, signature: rehashed, commit: false },
      'ERR_TOKEN_SIGNATURE_INVALID',
      { key: 'registered MFA' },
    );

    for (const bad of [
      '',
      'not base64!',
      sign(key1(), token).slice(0, 100),
      `${sign(key1(), token)}\n`,
      Buffer.alloc(255).toString('base64'),
    ]) {
      ({ token } = await ok(session, 'login-mfa-start', start));
      const good = sign(key1(), token);
      await refused(
        session,
        'login-mfa-finish',
        { token, signature: bad, commit: false },
        'ERR_SIGNATURE_FORMAT',
        { bytes: 256 },
      );
      await refused(
        session,
        'login-mfa-finish',
        { token, signature: good, commit: false },
        'ERR_TOKEN_UNKNOWN',
      );
    }
    assert.equal(session.user, undefined);
    assert.equal(node.challenges.size, 0);
  });

  it('refuses a token signed for another HSM (another token)', async () => {
    const session = node.openSession();
    const start = { username: 'alice', role: 'crypto-user', password: ALICE_PW };
    const { token: t1 } = await ok(session, 'login-mfa-start', start);
    const { token: t2 } = await ok(session, 'login-mfa-start', start);
    await refused(
      session,
      'login-mfa-finish',
      { token: t1, signature: sign(key1(), t2), commit: false },
      'ERR_TOKEN_SIGNATURE_INVALID',
      { key: 'registered MFA' },
    );
  });

  it('uses a token once: a second use is refused', async () => {
    const session = node.openSession();
    const { token } = await ok(session, 'login-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    const finish = { token, signature: sign(key1(), token) };
    await ok(session, 'login-mfa-finish', { ...finish, commit: false });
    await ok(session, 'login-mfa-finish', { ...finish, commit: true });
    await ok(session, 'logout', {});
    await refused(session, 'login-mfa-finish', { ...finish, commit: false }, 'ERR_TOKEN_UNKNOWN');
    await refused(session, 'login-mfa-finish', { ...finish, commit: true }, 'ERR_TOKEN_UNKNOWN');
  });

  it('refuses a commit that was not verified first', async () => {
    const session = node.openSession();
    const { token } = await ok(session, 'login-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    await refused(
      session,
      'login-mfa-finish',
      { token, signature: sign(key1(), token), commit: true },
      'ERR_TOKEN_NOT_VERIFIED',
    );
    assert.equal(session.user, undefined);
  });

  it('refuses a verified token after the key was rotated', async () => {
    const session = node.openSession();
    const { token } = await ok(session, 'login-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    await ok(session, 'login-mfa-finish', { token, signature: sign(key1(), token), commit: false });
    const admin = await loggedIn('admin', 'admin', ADMIN_PW);
    await changeMfa(admin, 'alice', 'crypto-user', key2(), { password: ALICE_PW });
    await refused(
      session,
      'login-mfa-finish',
      { token, signature: sign(key1(), token), commit: true },
      'ERR_TOKEN_SIGNATURE_INVALID',
      { key: 'registered MFA' },
    );
    assert.equal(session.user, undefined);
  });

  it('binds a token to its session and its purpose', async () => {
    const session = node.openSession();
    const { token } = await ok(session, 'login-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    const signature = sign(key1(), token);
    await refused(
      node.openSession(),
      'login-mfa-finish',
      { token, signature, commit: false },
      'ERR_TOKEN_UNKNOWN',
    );
    await ok(session, 'login', { username: 'admin', role: 'admin', password: ADMIN_PW });
    await refused(
      session,
      'change-mfa-finish',
      { token, signature, publicKey: key1().publicPem, commit: false },
      'ERR_TOKEN_PURPOSE',
      {
        issued: 'an MFA login',
        expected: 'an MFA change',
      },
    );
    const { token: changeToken } = await ok(session, 'change-mfa-start', {
      username: 'bob',
      role: 'crypto-user',
      password: 'bob-password',
    });
    await ok(session, 'logout', {});
    await refused(
      session,
      'login-mfa-finish',
      { token: changeToken, signature, commit: false },
      'ERR_TOKEN_PURPOSE',
      {
        issued: 'an MFA change',
        expected: 'an MFA login',
      },
    );
    // Still usable where it belongs.
    await ok(session, 'login-mfa-finish', { token, signature, commit: false });
  });

  it(`expires tokens after ${DEFAULT_MFA_TOKEN_SECONDS} s by default, or after the mfa_token_seconds setting`, async () => {
    const session = node.openSession();
    const start = { username: 'alice', role: 'crypto-user', password: ALICE_PW };
    const { token: t1 } = await ok(session, 'login-mfa-start', start);
    clock.advance(DEFAULT_MFA_TOKEN_SECONDS - 1);
    await ok(session, 'login-mfa-finish', { token: t1, signature: sign(key1(), t1), commit: false });
    clock.advance(1);
    await refused(
      session,
      'login-mfa-finish',
      { token: t1, signature: sign(key1(), t1), commit: true },
      'ERR_TOKEN_EXPIRED',
      { seconds: 600 },
    );
    assert.equal(session.user, undefined);

    store.setSetting('mfa_token_seconds', '30');
    const { token: t2 } = await ok(session, 'login-mfa-start', start);
    clock.advance(30);
    await refused(
      session,
      'login-mfa-finish',
      { token: t2, signature: sign(key1(), t2), commit: false },
      'ERR_TOKEN_EXPIRED',
      { seconds: 30 },
    );
  });

  it(`keeps at most ${MAX_TOKENS_PER_SESSION} tokens per session (oldest dropped) and drops a closed session's tokens`, async () => {
    const session = node.openSession();
    const start = { username: 'alice', role: 'crypto-user', password: ALICE_PW };
    const tokens: string[] = [];
    for (let i = 0; i <= MAX_TOKENS_PER_SESSION; i++)
      tokens.push((await ok(session, 'login-mfa-start', start)).token);
    assert.equal(node.challenges.size, MAX_TOKENS_PER_SESSION);
    await refused(
      session,
      'login-mfa-finish',
      { token: tokens[0], signature: sign(key1(), tokens[0]!), commit: false },
      'ERR_TOKEN_UNKNOWN',
    );
    await ok(session, 'login-mfa-finish', {
      token: tokens[1],
      signature: sign(key1(), tokens[1]!),
      commit: false,
    });
    node.closeSession(session);
    assert.equal(node.challenges.size, 0);
  });

  it('issues distinct 32-byte tokens', async () => {
    const session = node.openSession();
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const { token } = await ok(session, 'login-mfa-start', {
        username: 'alice',
        role: 'crypto-user',
        password: ALICE_PW,
      });
      assert.equal(Buffer.from(token, 'base64').length, 32);
      seen.add(token);
    }
    assert.equal(seen.size, 8);
  });

  it("audits MFA logins and changes under the token's user, without secrets", async () => {
    const from = store.listAudit().length;
    const wrong = node.openSession();
    const { token } = await ok(wrong, 'login-mfa-start', {
      username: 'alice',
      role: 'crypto-user',
      password: ALICE_PW,
    });
    await refused(
      wrong,
      'login-mfa-finish',
      { token, signature: sign(key2(), token), commit: false },
      'ERR_TOKEN_SIGNATURE_INVALID',
      { key: 'registered MFA' },
    );
    const session = await mfaLogin('alice', 'crypto-user', ALICE_PW, key1());
    await changeMfa(session, 'alice', 'crypto-user', key2());
    const entries = store.listAudit().slice(from);
    assert.deepEqual(
      entries.map((e) => `${e.actor} ${e.operation} ${e.target} ${e.result}`),
      [
        '- login-mfa-start alice ok',
        '- login-mfa-finish alice ERR_TOKEN_SIGNATURE_INVALID',
        '- login-mfa-start alice ok',
        '- login-mfa-finish alice ok',
        '- login-mfa-finish alice ok',
        'alice change-mfa-start alice ok',
        'alice change-mfa-finish alice ok',
        'alice change-mfa-finish alice ok',
      ],
    );
    assert.doesNotMatch(JSON.stringify(entries), new RegExp(`${ALICE_PW}|${token.replace(/[+/=]/g, '.')}`));
  });

  it('rejects malformed tokens at the schema', async () => {
    const session = node.openSession();
    const reply = await call(session, 'login-mfa-finish', { token: 'abc', signature: 'x', commit: false });
    assert.equal(reply.code, 'ERR_BAD_REQUEST');
    assert.equal(reply.message, 'Malformed request: login-mfa-finish: token: expected base64 of 32 bytes');
  });
});
