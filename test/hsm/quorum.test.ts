// Quorum on one node through HsmNode.handle: settings, registration, approvals, token lifecycle, guards.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import type { Session } from '../../src/hsm/session.js';
import type { Approval } from '../../src/protocol/quorum.js';
import { guardDelayMs } from '../../src/hsm/lockout.js';
import { signToken } from '../../src/tokens/token-sign.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../helpers/typed-node.js';
import { type TestKey, approvalOf, rsaKeys, withSignature } from '../helpers/quorum.js';

const PASS = 'password-123';
const keys = rsaKeys(4);
const KEY: Record<string, TestKey> = { admin: keys[0]!, admin2: keys[1]!, admin3: keys[2]!, cu1: keys[3]! };

async function register(t: TestNode, session: Session, key: TestKey): Promise<void> {
  const start = await t.ok(session, 'quorum-register-start', {});
  const signed = signToken(key.privateKey, Buffer.from(start.unsigned, 'base64')).toString('base64');
  const tokens = [{ approvalData: start.approvalData, unsigned: start.unsigned, signed }];
  await t.ok(session, 'quorum-register-finish', { publicKey: key.publicPem, tokens, commit: false });
  await t.ok(session, 'quorum-register-finish', { publicKey: key.publicPem, tokens, commit: true });
}

/** admin, admin2, admin3 (admins with quorum keys), cu1 (crypto user with a quorum key); sessions of each. */
async function setup(t: TestNode) {
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  for (const [username, role] of [
    ['admin2', 'admin'],
    ['admin3', 'admin'],
    ['cu1', 'crypto-user'],
  ] as const) {
    await t.ok(admin, 'user-create', { username, role, password: PASS });
  }
  const s: Record<string, Session> = { admin };
  for (const name of ['admin2', 'admin3']) s[name] = await t.login(name, PASS);
  s.cu1 = await t.login('cu1', PASS, 'crypto-user');
  for (const name of ['admin', 'admin2', 'admin3', 'cu1']) await register(t, s[name]!, KEY[name]!);
  return s;
}

async function generate(t: TestNode, session: Session, service: string): Promise<Approval> {
  const { record } = await t.ok(session, 'quorum-generate', { service });
  return approvalOf([Buffer.from(record, 'base64')]);
}

const signedBy = (approval: Approval, ...names: string[]) =>
  names.reduce((a, name) => withSignature(a, name, KEY[name]!.privateKey), approval);

describe('quorum settings on a new HSM', () => {
  let t: TestNode;
  beforeEach(async () => {
    t = await startTestNode();
  });

  it('has values 1, timeouts 600 s and the default policy, readable without login', async () => {
    const s = t.session();
    assert.deepEqual(await t.ok(s, 'quorum-list-values', {}), { user: 1, quorum: 1, cluster: 1 });
    assert.deepEqual(await t.ok(s, 'quorum-list-timeouts', {}), { generated: 600, approved: 600 });
    assert.deepEqual(await t.ok(s, 'quorum-get-policy', {}), {
      selfApproval: true,
      lockoutGuard: false,
      guard: false,
    });
  });

  it('validates set-quorum-value: service, value 1 or 2..8, admin only', async () => {
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    for (const value of [0, 9, 1.5, -1]) {
      const e = await t.fails(admin, 'quorum-set-value', { service: 'user', value });
      assert.equal(e.code, 'ERR_QUORUM_VALUE');
      assert.equal(e.message, `Invalid quorum value '${value}': use 1 (no quorum) or a value from 2 to 8`);
    }
    const keyService = await t.fails(admin, 'quorum-set-value', { service: 'key-usage', value: 2 });
    assert.deepEqual(
      [keyService.code, keyService.message],
      [
        'ERR_QUORUM_KEY_SERVICE',
        'Quorum tokens for service key-usage are not supported yet: LocalHSM has no keys',
      ],
    );
    const bad = await t.fails(admin, 'quorum-set-value', { service: 'registration', value: 2 });
    assert.equal(
      bad.message,
      "Invalid quorum service 'registration': possible values are user, quorum, cluster",
    );
    await t.ok(admin, 'quorum-set-value', { service: 'cluster', value: 1 });
    const anonymous = await t.fails(t.session(), 'quorum-set-value', { service: 'user', value: 1 });
    assert.equal(anonymous.code, 'ERR_NOT_LOGGED_IN');
  });

  it('validates set-timeout: exactly one kind, 1..86400 seconds, admin only', async () => {
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    await t.ok(admin, 'quorum-set-timeout', { generated: 30 });
    await t.ok(admin, 'quorum-set-timeout', { approved: 86400 });
    assert.deepEqual(await t.ok(admin, 'quorum-list-timeouts', {}), { generated: 30, approved: 86400 });
    assert.equal(
      (await t.fails(admin, 'quorum-set-timeout', { generated: 0 })).message,
      "Invalid token timeout '0': use a whole number of seconds from 1 to 86400",
    );
    assert.equal(
      (await t.fails(admin, 'quorum-set-timeout', { approved: 86401 })).code,
      'ERR_QUORUM_TIMEOUT',
    );
    assert.equal((await t.fails(admin, 'quorum-set-timeout', {})).code, 'ERR_BAD_REQUEST');
    assert.equal(
      (await t.fails(admin, 'quorum-set-timeout', { generated: 5, approved: 5 })).code,
      'ERR_BAD_REQUEST',
    );
  });

  it('with the quorum guard policy on (opt-in), refuses a quorum value above the number of approvers unless overridden', async () => {
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    await t.ok(admin, 'quorum-set-policy', { guard: true });
    const e = await t.fails(admin, 'quorum-set-value', { service: 'user', value: 2 });
    assert.equal(e.code, 'ERR_QUORUM_GUARD_VALUE');
    assert.equal(
      e.message,
      'Refused: a quorum value of 2 for service user needs 2 quorum approvers, but only 0 approvers can approve it (refused by the quorum guard; use --allow-unmanageable to override)',
    );
    assert.deepEqual(await t.ok(admin, 'quorum-list-values', {}), { user: 1, quorum: 1, cluster: 1 });
    await t.ok(admin, 'quorum-set-value', { service: 'user', value: 2, allowUnmanageable: true });
    assert.deepEqual(await t.ok(admin, 'quorum-list-values', {}), { user: 2, quorum: 1, cluster: 1 });
  });

  it('by default sets the documented quorum value 2 with no approver registered, returning a warning', async () => {
    const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
    // Within the approvers, no warning.
    assert.deepEqual(await t.ok(admin, 'quorum-set-value', { service: 'user', value: 1 }), {});
    assert.deepEqual(await t.ok(admin, 'quorum-set-value', { service: 'quorum', value: 2 }), {
      warning:
        'warning: a quorum value of 2 for service quorum needs 2 quorum approvers, but only 0 approvers can approve it: its operations cannot be approved until more admins register a quorum key',
    });
    assert.deepEqual(await t.ok(admin, 'quorum-list-values', {}), { user: 1, quorum: 2, cluster: 1 });
  });
});

describe('quorum key registration', () => {
  let t: TestNode;
  let admin: Session;
  beforeEach(async () => {
    t = await startTestNode();
    admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  });

  const quorumFlag = async () =>
    (await t.ok(t.session(), 'user-list', {})).users.find((u) => u.username === 'admin')!.quorum;

  it('registers the key after a verify phase that changes nothing', async () => {
    const start = await t.ok(admin, 'quorum-register-start', {});
    const data = Buffer.from(start.approvalData, 'base64');
    assert.equal(data.length, 80);
    assert.ok(data.length <= 245);
    assert.equal(start.unsigned, crypto.createHash('sha256').update(data).digest('base64'));
    assert.deepEqual([...data.subarray(0, 4)], [0, 1, 0, 1]);
    assert.equal(data.subarray(32, 64).toString('utf8').replace(/\0+$/, ''), 'admin');
    assert.equal(Number(data.readBigUInt64BE(64)), Math.floor(t.clock.now() / 1000));

    const signed = signToken(KEY.admin!.privateKey, Buffer.from(start.unsigned, 'base64')).toString('base64');
    const tokens = [{ approvalData: start.approvalData, unsigned: start.unsigned, signed }];
    assert.deepEqual(
      await t.ok(admin, 'quorum-register-finish', { publicKey: KEY.admin!.publicPem, tokens, commit: false }),
      {
        username: 'admin',
        role: 'admin',
      },
    );
    assert.equal(await quorumFlag(), false);
    await t.ok(admin, 'quorum-register-finish', { publicKey: KEY.admin!.publicPem, tokens, commit: true });
    assert.equal(await quorumFlag(), true);
    assert.equal(t.store.getUser('admin')!.quorumPublicKey, KEY.admin!.publicPem);
    // A re-run (the token is consumed) succeeds as already in effect; another key does not.
    const rerun = await t.ok(admin, 'quorum-register-finish', {
      publicKey: KEY.admin!.publicPem,
      tokens,
      commit: true,
    });
    assert.equal(rerun.alreadyInEffect, true);
    const other = await t.fails(admin, 'quorum-register-finish', {
      publicKey: KEY.admin2!.publicPem,
      tokens,
      commit: false,
    });
    assert.equal(other.code, 'ERR_REGISTRATION_TOKEN_MISSING');
  });

  it("refuses a signature by another key, a non-2048 key, and another user's token", async () => {
    const start = await t.ok(admin, 'quorum-register-start', {});
    const signed = signToken(KEY.admin2!.privateKey, Buffer.from(start.unsigned, 'base64')).toString(
      'base64',
    );
    const tokens = [{ approvalData: start.approvalData, unsigned: start.unsigned, signed }];
    const wrong = await t.fails(admin, 'quorum-register-finish', {
      publicKey: KEY.admin!.publicPem,
      tokens,
      commit: true,
    });
    assert.deepEqual(
      [wrong.code, wrong.message],
      [
        'ERR_REGISTRATION_SIGNATURE',
        'The registration token signature does not verify with the given public key',
      ],
    );
    const small = crypto
      .generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const weak = await t.fails(admin, 'quorum-register-finish', { publicKey: small, tokens, commit: true });
    assert.equal(weak.message, 'Invalid public key: it is RSA 1024-bit; an RSA 2048-bit key is required');
    // The token names admin (generated while logged in): another user cannot register with it.
    await t.ok(admin, 'user-create', { username: 'admin2', role: 'admin', password: PASS });
    const elsewhere = await t.login('admin2', PASS);
    const stolen = await t.fails(elsewhere, 'quorum-register-finish', {
      publicKey: KEY.admin2!.publicPem,
      tokens,
      commit: true,
    });
    assert.deepEqual(
      [stolen.code, stolen.message],
      [
        'ERR_REGISTRATION_TOKEN_OWNER',
        "This registration token was generated by admin's login: register with it logged in as admin, or generate one before logging in",
      ],
    );
    assert.equal(t.store.getUser('admin2')!.quorumPublicKey, null);
    assert.equal(await quorumFlag(), false);
  });

  it('registers from another session of the same user (the documented set-up runs a new CLI process)', async () => {
    const start = await t.ok(admin, 'quorum-register-start', {});
    await t.ok(admin, 'logout', {});
    const signed = signToken(KEY.admin!.privateKey, Buffer.from(start.unsigned, 'base64')).toString('base64');
    const tokens = [{ approvalData: start.approvalData, unsigned: start.unsigned, signed }];
    const later = await t.login('admin', NODE_ADMIN_PASSWORD);
    await t.ok(later, 'quorum-register-finish', { publicKey: KEY.admin!.publicPem, tokens, commit: false });
    await t.ok(later, 'quorum-register-finish', { publicKey: KEY.admin!.publicPem, tokens, commit: true });
    assert.equal(await quorumFlag(), true);
  });

  it('issues a registration token before login; the registering login decides whose key it becomes, once', async () => {
    const start = await t.ok(t.session(), 'quorum-register-start', {});
    const data = Buffer.from(start.approvalData, 'base64');
    assert.deepEqual([...data.subarray(32, 64)], new Array(32).fill(0), 'no username in the record');
    const signed = signToken(KEY.admin2!.privateKey, Buffer.from(start.unsigned, 'base64')).toString(
      'base64',
    );
    const tokens = [{ approvalData: start.approvalData, unsigned: start.unsigned, signed }];
    await t.ok(admin, 'user-create', { username: 'admin2', role: 'admin', password: PASS });
    const admin2 = await t.login('admin2', PASS);
    await t.ok(admin2, 'quorum-register-finish', { publicKey: KEY.admin2!.publicPem, tokens, commit: false });
    await t.ok(admin2, 'quorum-register-finish', { publicKey: KEY.admin2!.publicPem, tokens, commit: true });
    assert.equal(t.store.getUser('admin2')!.quorumPublicKey, KEY.admin2!.publicPem);
    // Single use: the same signed file registers nobody else.
    const again = await t.fails(admin, 'quorum-register-finish', {
      publicKey: KEY.admin2!.publicPem,
      tokens,
      commit: false,
    });
    assert.deepEqual(
      [again.code, again.message],
      [
        'ERR_REGISTRATION_TOKEN_MISSING',
        'The signed token file holds no unused registration token issued by this HSM (each is single-use and expires); generate one with quorum token-sign generate --service registration',
      ],
    );
    assert.equal(t.store.getUser('admin')!.quorumPublicKey, null);
    // Nor the same user again after a rotation (a replay would roll the key back).
    const next = await t.ok(admin2, 'quorum-register-start', {});
    const rotated = [
      {
        approvalData: next.approvalData,
        unsigned: next.unsigned,
        signed: signToken(KEY.admin3!.privateKey, Buffer.from(next.unsigned, 'base64')).toString('base64'),
      },
    ];
    await t.ok(admin2, 'quorum-register-finish', {
      publicKey: KEY.admin3!.publicPem,
      tokens: rotated,
      commit: true,
    });
    const replay = await t.fails(admin2, 'quorum-register-finish', {
      publicKey: KEY.admin2!.publicPem,
      tokens,
      commit: true,
    });
    assert.equal(replay.code, 'ERR_REGISTRATION_TOKEN_MISSING');
    assert.equal(t.store.getUser('admin2')!.quorumPublicKey, KEY.admin3!.publicPem);
  });

  it("refuses another HSM's registration token and an entry that mixes in other records", async () => {
    const other = await startTestNode();
    const start = await other.ok(other.session(), 'quorum-register-start', {});
    const signed = signToken(KEY.admin!.privateKey, Buffer.from(start.unsigned, 'base64')).toString('base64');
    const foreign = await t.fails(admin, 'quorum-register-finish', {
      publicKey: KEY.admin!.publicPem,
      tokens: [{ approvalData: start.approvalData, unsigned: start.unsigned, signed }],
      commit: false,
    });
    assert.equal(foreign.code, 'ERR_REGISTRATION_TOKEN_MISSING');
    // This HSM's record next to an approval token's record is not a registration token.
    const own = Buffer.from((await t.ok(admin, 'quorum-register-start', {})).approvalData, 'base64');
    const approvalRecord = Buffer.from(
      (await t.ok(admin, 'quorum-generate', { service: 'user' })).record,
      'base64',
    );
    const mixed = Buffer.concat([own, approvalRecord]);
    const digest = crypto.createHash('sha256').update(mixed).digest();
    const e = await t.fails(admin, 'quorum-register-finish', {
      publicKey: KEY.admin!.publicPem,
      tokens: [
        {
          approvalData: mixed.toString('base64'),
          unsigned: digest.toString('base64'),
          signed: signToken(KEY.admin!.privateKey, digest).toString('base64'),
        },
      ],
      commit: false,
    });
    assert.equal(e.code, 'ERR_REGISTRATION_TOKEN_MISSING');
  });

  it('expires an unsigned registration token after the generated timeout', async () => {
    const start = await t.ok(admin, 'quorum-register-start', {});
    const signed = signToken(KEY.admin!.privateKey, Buffer.from(start.unsigned, 'base64')).toString('base64');
    t.clock.advance(601);
    const e = await t.fails(admin, 'quorum-register-finish', {
      publicKey: KEY.admin!.publicPem,
      tokens: [{ approvalData: start.approvalData, unsigned: start.unsigned, signed }],
      commit: false,
    });
    assert.deepEqual(
      [e.code, e.message],
      [
        'ERR_QUORUM_TOKEN_EXPIRED',
        'The quorum token has expired (generated timeout of 600 seconds); generate a new one with quorum token-sign generate',
      ],
    );
  });
});

describe('quorum approvals for user operations', () => {
  let t: TestNode;
  let s: Record<string, Session>;
  beforeEach(async () => {
    t = await startTestNode();
    s = await setup(t);
    await t.ok(s.admin!, 'quorum-set-value', { service: 'user', value: 2 });
  });

  it('requires an approval, counts distinct valid approvers, and consumes the token', async () => {
    const create = { username: 'newbie', role: 'crypto-user', password: PASS };
    const none = await t.fails(s.admin!, 'user-create', create);
    assert.deepEqual(
      [none.code, none.message],
      ['ERR_QUORUM_REQUIRED', 'Quorum approval is required for this operation'],
    );

    const token = await generate(t, s.admin!, 'user');
    const one = await t.fails(s.admin!, 'user-create', { ...create, approval: signedBy(token, 'admin2') });
    assert.deepEqual(
      [one.code, one.message],
      ['ERR_QUORUM_TOO_FEW', 'Too few quorum approvals: currently 1 approvals, but 2 approvals required'],
    );
    const twice = await t.fails(s.admin!, 'user-create', {
      ...create,
      approval: signedBy(token, 'admin2', 'admin2'),
    });
    assert.equal(twice.message, 'Too few quorum approvals: currently 1 approvals, but 2 approvals required');
    // A crypto user, a forged entry and an unknown user do not count; the reasons travel as a param.
    const forged = withSignature(signedBy(token, 'admin2', 'cu1'), 'admin3', KEY.admin2!.privateKey);
    const bad = await t.fails(s.admin!, 'user-create', {
      ...create,
      approval: { ...forged, signatures: [...forged.signatures, { username: 'ghost', signature: 'AAAA' }] },
    });
    assert.equal(bad.message, 'Too few quorum approvals: currently 1 approvals, but 2 approvals required');
    assert.equal(
      bad.params.ignored,
      'cu1: a crypto-user cannot approve service user; admin3: signature does not verify with the registered quorum key; ghost: no such user',
    );
    assert.equal(t.store.getUser('newbie'), undefined);

    const approval = signedBy(token, 'admin2', 'admin3');
    assert.deepEqual(await t.ok(s.admin!, 'user-create', { ...create, approval }), {
      username: 'newbie',
      role: 'crypto-user',
    });
    const reuse = await t.fails(s.admin!, 'user-create', { ...create, username: 'newbie2', approval });
    assert.deepEqual(
      [reuse.code, reuse.message],
      ['ERR_QUORUM_TOKEN_INVALID', 'Invalid username-signature pair for quorum authorization'],
    );
  });

  it('refuses a registration token presented as an approval', async () => {
    const start = await t.ok(s.admin!, 'quorum-register-start', {});
    const registrationData = Buffer.from(start.approvalData, 'base64');
    const asApproval = signedBy(approvalOf([registrationData]), 'admin2', 'admin3');
    const create = { username: 'sneaky', role: 'crypto-user', password: PASS };
    const refused = await t.fails(s.admin!, 'user-create', { ...create, approval: asApproval });
    assert.deepEqual(
      [refused.code, refused.message],
      [
        'ERR_QUORUM_WRONG_SERVICE',
        'This quorum token was generated for service registration, but this operation needs a token for service user',
      ],
    );
    assert.equal(t.store.getUser('sneaky'), undefined);
  });

  it('lets the requester approve their own token unless self-approval is disabled', async () => {
    const self = signedBy(await generate(t, s.admin!, 'user'), 'admin', 'admin2');
    await t.ok(s.admin!, 'user-create', {
      username: 'u1',
      role: 'crypto-user',
      password: PASS,
      approval: self,
    });

    const q = signedBy(await generate(t, s.admin!, 'quorum'), 'admin2');
    // quorum value is 1: no approval needed, the one given is ignored.
    await t.ok(s.admin!, 'quorum-set-policy', { selfApproval: false, approval: q });
    const again = signedBy(await generate(t, s.admin!, 'user'), 'admin', 'admin2');
    const e = await t.fails(s.admin!, 'user-create', {
      username: 'u2',
      role: 'crypto-user',
      password: PASS,
      approval: again,
    });
    assert.equal(e.message, 'Too few quorum approvals: currently 1 approvals, but 2 approvals required');
    assert.equal(e.params.ignored, 'admin: self-approval is disabled');
    await t.ok(s.admin!, 'user-create', {
      username: 'u2',
      role: 'crypto-user',
      password: PASS,
      approval: signedBy(again, 'admin3'),
    });
  });

  it('binds a token to its login session, user and service', async () => {
    const token = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    const create = { username: 'u1', role: 'crypto-user', password: PASS, approval: token };
    const other = await t.fails(s.admin2!, 'user-create', create);
    assert.deepEqual(
      [other.code, other.message],
      [
        'ERR_QUORUM_TOKEN_NOT_OWNED',
        'This quorum token belongs to another login session; a quorum token can only be used by the login session that generated it',
      ],
    );
    const sameUserOtherSession = await t.login('admin', NODE_ADMIN_PASSWORD);
    assert.equal(
      (await t.fails(sameUserOtherSession, 'user-create', create)).code,
      'ERR_QUORUM_TOKEN_NOT_OWNED',
    );
    // Logout and login again on the same connection: the token died with the first login.
    await t.ok(s.admin!, 'logout', {});
    await t.ok(s.admin!, 'login', { username: 'admin', role: 'admin', password: NODE_ADMIN_PASSWORD });
    assert.equal((await t.fails(s.admin!, 'user-create', create)).code, 'ERR_QUORUM_TOKEN_INVALID');

    const quorumToken = signedBy(await generate(t, s.admin!, 'quorum'), 'admin2', 'admin3');
    const wrong = await t.fails(s.admin!, 'user-create', { ...create, approval: quorumToken });
    assert.equal(
      wrong.message,
      'This quorum token was generated for service quorum, but this operation needs a token for service user',
    );
    const tampered = { ...token, approvalData: Buffer.alloc(80).toString('base64') };
    assert.equal(
      (await t.fails(s.admin!, 'user-create', { ...create, approval: tampered })).message,
      'Invalid quorum approval: token is not the SHA-256 of approval_data',
    );
  });

  it('expires a token by the generated timeout, and an approved one by the approved timeout', async () => {
    await t.ok(s.admin!, 'quorum-set-timeout', { approved: 60 });
    const late = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    t.clock.advance(600);
    t.clock.advance(1);
    const e = await t.fails(s.admin!, 'user-create', {
      username: 'u1',
      role: 'crypto-user',
      password: PASS,
      approval: late,
    });
    assert.equal(
      e.message,
      'The quorum token has expired (generated timeout of 600 seconds); generate a new one with quorum token-sign generate',
    );

    // Approved, but the operation is refused for another reason: the token stays approved, unconsumed.
    const token = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    const exists = await t.fails(s.admin!, 'user-create', {
      username: 'admin2',
      role: 'admin',
      password: 'other-password',
      approval: token,
    });
    assert.equal(exists.code, 'ERR_USER_EXISTS');
    const listed = await t.ok(s.admin!, 'quorum-list', {});
    assert.deepEqual(listed.tokens, [
      { username: 'admin', service: 'user', approvalsRequired: 2, approvals: 2, remainingSeconds: 60 },
    ]);
    t.clock.advance(59);
    await t.ok(s.admin!, 'user-create', {
      username: 'u1',
      role: 'crypto-user',
      password: PASS,
      approval: token,
    });

    const token2 = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    await t.fails(s.admin!, 'user-create', {
      username: 'admin2',
      role: 'admin',
      password: 'other-password',
      approval: token2,
    });
    t.clock.advance(61);
    const expired = await t.fails(s.admin!, 'user-create', {
      username: 'u2',
      role: 'crypto-user',
      password: PASS,
      approval: token2,
    });
    assert.equal(
      expired.message,
      'The quorum token has expired (approved timeout of 60 seconds); generate a new one with quorum token-sign generate',
    );
  });

  it("gates delete and another user's password change, not one's own password", async () => {
    await t.ok(s.cu1!, 'user-change-password', {
      username: 'cu1',
      role: 'crypto-user',
      password: 'new-password-1',
    });
    await t.ok(s.cu1!, 'logout', {});
    assert.equal(
      (
        await t.fails(s.admin!, 'user-change-password', {
          username: 'cu1',
          role: 'crypto-user',
          password: PASS,
        })
      ).code,
      'ERR_QUORUM_REQUIRED',
    );
    assert.equal(
      (await t.fails(s.admin!, 'user-delete', { username: 'cu1', role: 'crypto-user' })).code,
      'ERR_QUORUM_REQUIRED',
    );
    const a1 = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    await t.ok(s.admin!, 'user-change-password', {
      username: 'cu1',
      role: 'crypto-user',
      password: PASS,
      approval: a1,
    });
    const a2 = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    await t.ok(s.admin!, 'user-delete', { username: 'cu1', role: 'crypto-user', approval: a2 });
    assert.equal(t.store.getUser('cu1'), undefined);
  });

  it('does not consume the approval when the operation is refused for another reason', async () => {
    const token = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    const busy = await t.fails(s.admin!, 'user-delete', {
      username: 'admin3',
      role: 'admin',
      approval: token,
    });
    assert.equal(busy.code, 'ERR_USER_LOGGED_IN');
    const role = await t.fails(s.admin!, 'user-delete', { username: 'cu1', role: 'admin', approval: token });
    assert.equal(role.code, 'ERR_ROLE_MISMATCH');
    await t.ok(s.cu1!, 'logout', {});
    await t.ok(s.admin!, 'user-delete', { username: 'cu1', role: 'crypto-user', approval: token });
  });

  it('needs approvals meeting the current quorum value to change a quorum value', async () => {
    await t.ok(s.admin!, 'quorum-set-value', { service: 'quorum', value: 2 });
    assert.equal(
      (await t.fails(s.admin!, 'quorum-set-value', { service: 'user', value: 3 })).code,
      'ERR_QUORUM_REQUIRED',
    );
    const one = signedBy(await generate(t, s.admin!, 'quorum'), 'admin');
    assert.equal(
      (await t.fails(s.admin!, 'quorum-set-value', { service: 'user', value: 3, approval: one })).code,
      'ERR_QUORUM_TOO_FEW',
    );
    await t.ok(s.admin!, 'quorum-set-value', {
      service: 'user',
      value: 3,
      approval: signedBy(one, 'admin3'),
    });
    assert.deepEqual(await t.ok(t.session(), 'quorum-list-values', {}), { user: 3, quorum: 2, cluster: 1 });
    // The value now in force: raising quorum to 3 still needs only the current 2.
    const two = signedBy(await generate(t, s.admin!, 'quorum'), 'admin2', 'admin3');
    await t.ok(s.admin!, 'quorum-set-value', { service: 'quorum', value: 3, approval: two });
    const needs3 = signedBy(await generate(t, s.admin!, 'quorum'), 'admin2', 'admin3');
    const e = await t.fails(s.admin!, 'quorum-set-value', { service: 'quorum', value: 1, approval: needs3 });
    assert.equal(e.message, 'Too few quorum approvals: currently 2 approvals, but 3 approvals required');
  });
});

describe('quorum token store', () => {
  let t: TestNode;
  let s: Record<string, Session>;
  beforeEach(async () => {
    t = await startTestNode();
    s = await setup(t);
  });

  it('keeps one token per user and service: a new one replaces the old', async () => {
    await t.ok(s.admin!, 'quorum-set-value', { service: 'user', value: 2 });
    const first = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    const second = signedBy(await generate(t, s.admin!, 'user'), 'admin2', 'admin3');
    assert.equal(
      (
        await t.fails(s.admin!, 'user-create', {
          username: 'u1',
          role: 'crypto-user',
          password: PASS,
          approval: first,
        })
      ).code,
      'ERR_QUORUM_TOKEN_INVALID',
    );
    await t.ok(s.admin!, 'user-create', {
      username: 'u1',
      role: 'crypto-user',
      password: PASS,
      approval: second,
    });
    await generate(t, s.admin!, 'quorum');
    await generate(t, s.admin2!, 'user');
    assert.equal((await t.ok(s.admin!, 'quorum-list', {})).tokens.length, 2);
  });

  it('lists live tokens of every user with time left, and only admins generate admin-service tokens', async () => {
    await t.ok(s.admin!, 'quorum-set-value', { service: 'quorum', value: 2 });
    await generate(t, s.admin!, 'user');
    t.clock.advance(200);
    await generate(t, s.admin2!, 'quorum');
    t.clock.advance(3);
    const list = await t.ok(s.cu1!, 'quorum-list', {});
    assert.deepEqual(list.tokens, [
      { username: 'admin', service: 'user', approvalsRequired: 1, approvals: 0, remainingSeconds: 397 },
      { username: 'admin2', service: 'quorum', approvalsRequired: 2, approvals: 0, remainingSeconds: 597 },
    ]);
    const cu = await t.fails(s.cu1!, 'quorum-generate', { service: 'user' });
    assert.equal(
      cu.message,
      'Permission denied: the crypto-user role cannot generate quorum tokens for service user',
    );
    assert.equal(
      (await t.fails(s.admin!, 'quorum-generate', { service: 'key-management' })).code,
      'ERR_QUORUM_KEY_SERVICE',
    );
    assert.equal((await t.fails(t.session(), 'quorum-list', {})).code, 'ERR_NOT_LOGGED_IN');
    await t.ok(s.admin2!, 'logout', {});
    assert.deepEqual(
      (await t.ok(s.admin!, 'quorum-list', {})).tokens.map((x) => x.username),
      ['admin'],
    );
    t.clock.advance(398);
    assert.deepEqual((await t.ok(s.admin!, 'quorum-list', {})).tokens, []);
  });

  it('deletes the own tokens (scope user) or all (scope all, admins only)', async () => {
    await generate(t, s.admin!, 'user');
    await generate(t, s.admin!, 'quorum');
    await generate(t, s.admin2!, 'user');
    await t.ok(s.cu1!, 'quorum-register-start', {});
    assert.equal((await t.fails(s.cu1!, 'quorum-delete', { scope: 'all' })).code, 'ERR_PERMISSION_DENIED');
    assert.deepEqual(await t.ok(s.cu1!, 'quorum-delete', { scope: 'user' }), { deleted: 1 });
    assert.deepEqual(await t.ok(s.admin!, 'quorum-delete', { scope: 'user' }), { deleted: 2 });
    assert.deepEqual(
      (await t.ok(s.admin!, 'quorum-list', {})).tokens.map((x) => x.username),
      ['admin2'],
    );
    assert.deepEqual(await t.ok(s.admin!, 'quorum-delete', { scope: 'all' }), { deleted: 1 });
  });

  it('holds at most the token limit, purging expired and dead tokens first', async () => {
    t.store.setSetting('quorum_max_tokens', '2');
    await generate(t, s.admin!, 'user');
    await generate(t, s.admin2!, 'user');
    const full = await t.fails(s.admin3!, 'quorum-generate', { service: 'user' });
    assert.deepEqual(
      [full.code, full.message],
      [
        'ERR_QUORUM_TOKEN_LIMIT',
        'The HSM already holds the maximum of 2 quorum tokens; delete unused ones with quorum token-sign delete',
      ],
    );
    // Replacing one's own token is allowed at the limit.
    await generate(t, s.admin!, 'user');
    // A logged-out session's token is dead and purged to make room.
    await t.ok(s.admin2!, 'logout', {});
    await generate(t, s.admin3!, 'user');
    // Registration tokens have a pool of their own: issued before login by anyone, they must not
    // crowd out the admins' approval tokens (nor the other way round).
    await t.ok(s.cu1!, 'quorum-register-start', {});
    await t.ok(t.session(), 'quorum-register-start', {});
    assert.equal((await t.fails(t.session(), 'quorum-register-start', {})).code, 'ERR_QUORUM_TOKEN_LIMIT');
    assert.equal(
      (await t.fails(s.admin!, 'quorum-generate', { service: 'quorum' })).code,
      'ERR_QUORUM_TOKEN_LIMIT',
    );
    // Expired tokens are purged too.
    t.clock.advance(601);
    await t.ok(t.session(), 'quorum-register-start', {});
    await generate(t, s.admin3!, 'quorum');
    await generate(t, s.admin!, 'quorum');
    assert.equal(
      (await t.fails(s.admin2!, 'quorum-generate', { service: 'quorum' })).code,
      'ERR_NOT_LOGGED_IN',
    );
    assert.equal(
      (await t.fails(s.admin3!, 'quorum-generate', { service: 'user' })).code,
      'ERR_QUORUM_TOKEN_LIMIT',
    );
  });
});

describe('quorum guards', () => {
  let t: TestNode;
  let s: Record<string, Session>;
  beforeEach(async () => {
    t = await startTestNode();
    s = await setup(t);
    // The refusals below are the opt-in policy's; by default these changes are made with a warning.
    await t.ok(s.admin!, 'quorum-set-policy', { guard: true });
    await t.ok(s.admin!, 'quorum-set-value', { service: 'user', value: 2 });
    await t.ok(s.admin!, 'quorum-set-value', { service: 'quorum', value: 3 });
  });

  const approved = async (service = 'user', ...names: string[]) =>
    signedBy(await generate(t, s.admin!, service), ...(names.length ? names : ['admin', 'admin2', 'admin3']));

  it('refuses to delete an approver when fewer than M would remain, unless overridden', async () => {
    await t.ok(s.admin3!, 'logout', {});
    const approval = await approved();
    const e = await t.fails(s.admin!, 'user-delete', { username: 'admin3', role: 'admin', approval });
    assert.deepEqual(
      [e.code, e.message],
      [
        'ERR_QUORUM_GUARD_REMOVE',
        'Refused: deleting admin3 would leave 2 quorum approvers for service quorum, which needs 3 (refused by the quorum guard; use --allow-unmanageable to override)',
      ],
    );
    assert.ok(t.store.getUser('admin3'));
    await t.ok(s.admin!, 'user-delete', {
      username: 'admin3',
      role: 'admin',
      approval,
      allowUnmanageable: true,
    });
    assert.equal(t.store.getUser('admin3'), undefined);
  });

  it("refuses to deregister an approver's quorum key, also one's own", async () => {
    const own = await t.fails(s.admin2!, 'user-change-password', {
      username: 'admin2',
      role: 'admin',
      password: PASS,
      deregisterQuorum: true,
    });
    assert.equal(
      own.message,
      'Refused: deregistering the quorum key of admin2 would leave 2 quorum approvers for service quorum, which needs 3 (refused by the quorum guard; use --allow-unmanageable to override)',
    );
    await t.ok(s.admin!, 'quorum-set-value', {
      service: 'quorum',
      value: 1,
      approval: await approved('quorum'),
    });
    await t.ok(s.admin2!, 'user-change-password', {
      username: 'admin2',
      role: 'admin',
      password: PASS,
      deregisterQuorum: true,
    });
    await t.ok(s.admin3!, 'logout', {});
    const e = await t.fails(s.admin!, 'user-change-password', {
      username: 'admin3',
      role: 'admin',
      password: PASS,
      deregisterQuorum: true,
      approval: await approved('user', 'admin', 'admin3'),
    });
    assert.equal(
      e.message,
      'Refused: deregistering the quorum key of admin3 would leave 1 quorum approver for service user, which needs 2 (refused by the quorum guard; use --allow-unmanageable to override)',
    );
  });

  it('locks a needed approver after 5 failures by default, as CloudHSM does (issue 13)', async () => {
    await t.ok(s.admin3!, 'logout', {});
    const wrong = { username: 'admin3', role: 'admin', password: 'wrong-password' };
    for (let i = 0; i < 5; i++)
      assert.equal((await t.fails(t.session(), 'login', wrong)).code, 'ERR_LOGIN_FAILED');
    assert.equal(t.store.getUser('admin3')!.locked, true);
    const right = await t.fails(t.session(), 'login', { ...wrong, password: PASS });
    assert.equal(right.code, 'ERR_USER_LOCKED');
    // A locked approver's signature no longer counts.
    const e = await t.fails(s.admin!, 'user-create', {
      username: 'u1',
      role: 'crypto-user',
      password: PASS,
      approval: await approved('user', 'admin3', 'admin2'),
    });
    assert.equal(e.params.ignored, 'admin3: the user is locked');
  });

  it('with the lock-out guard on, slows guessing of a needed approver instead of locking it (issue 13)', async () => {
    await t.ok(s.admin!, 'quorum-set-policy', { lockoutGuard: true, approval: await approved('quorum') });
    await t.ok(s.admin3!, 'logout', {});
    const wrong = { username: 'admin3', role: 'admin', password: 'wrong-password' };
    const failures = () => t.store.getUser('admin3')!.failedLogins;
    for (let i = 0; i < 5; i++) await t.fails(t.session(), 'login', wrong);
    assert.deepEqual([t.store.getUser('admin3')!.locked, failures()], [false, 5]);
    // For 1 s after the 5th failure nothing is evaluated, not even the right password; same message.
    for (let i = 0; i < 20; i++) {
      const e = await t.fails(t.session(), 'login', i === 10 ? { ...wrong, password: PASS } : wrong);
      assert.deepEqual([e.code, e.message], ['ERR_LOGIN_FAILED', 'Incorrect authentication credentials']);
    }
    assert.equal(failures(), 5);
    // Then one evaluation, after which the delay doubles: 2 s, then 4 s, ...
    t.clock.advance(1);
    await t.fails(t.session(), 'login', wrong);
    assert.equal(failures(), 6);
    t.clock.advance(1);
    await t.fails(t.session(), 'login', wrong);
    assert.equal(failures(), 6);
    t.clock.advance(1);
    await t.fails(t.session(), 'login', wrong);
    assert.equal(failures(), 7);
    t.clock.advance(4);
    await t.login('admin3', PASS);
    assert.deepEqual([t.store.getUser('admin3')!.locked, failures()], [false, 0]);
    // A crypto user is no approver: it is locked as usual.
    await t.ok(s.cu1!, 'logout', {});
    for (let i = 0; i < 5; i++)
      await t.fails(t.session(), 'login', {
        username: 'cu1',
        role: 'crypto-user',
        password: 'wrong-password',
      });
    assert.equal(t.store.getUser('cu1')!.locked, true);
  });

  it('the guard caps its delay at 5 minutes', () => {
    assert.deepEqual(
      [5, 6, 7, 13, 14, 100].map((n) => guardDelayMs(n)),
      [1000, 2000, 4000, 256000, 300000, 300000],
    );
  });
});
