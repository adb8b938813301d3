// The node's dispatch, derived from the operation descriptors: access checked before the handler, writing operations audited in the transaction of their change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMessage } from '../../src/errors.js';
import type { AuditEntry } from '../../src/hsm/audit.js';
import { devClockSecretHash } from '../../src/hsm/dev-clock.js';
import { HsmNode } from '../../src/hsm/node.js';
import type { SettingKey } from '../../src/hsm/settings.js';
import { ReadOnlyStore } from '../../src/hsm/op-store.js';
import { provisionHsm } from '../../src/hsm/provision.js';
import type { Session } from '../../src/hsm/session.js';
import { MemoryStore } from '../../src/hsm/store/memory.js';
import { OPERATIONS, type OpArgs, type OperationName, displayName } from '../../src/protocol/operations.js';
import type { Reply } from '../../src/protocol/frames.js';
import { ManualClock } from '../helpers/cluster.js';
import { NODE_ADMIN_PASSWORD, type TestNode, makeNode, refusal, success } from '../helpers/node.js';

const CAROL_PASSWORD = 'carol-pass-1';
const TOKEN = Buffer.alloc(32, 7).toString('base64');

/** Arguments every schema accepts, one entry per operation (a new operation does not compile without one). */
const SAMPLE_ARGS: { [O in OperationName]: OpArgs<O> } = {
  'hsm-info': {},
  'cluster-activate': { password: NODE_ADMIN_PASSWORD },
  'user-list': {},
  login: { username: 'admin', role: 'admin', password: NODE_ADMIN_PASSWORD },
  logout: {},
  'user-create': { username: 'dave', role: 'crypto-user', password: 'dave-pass-1' },
  'user-delete': { username: 'dave', role: 'crypto-user' },
  'user-change-password': { username: 'dave', role: 'crypto-user', password: 'dave-pass-2' },
  'user-replicate-challenge': { username: 'dave', role: 'crypto-user' },
  'user-replicate-export': {
    username: 'dave',
    role: 'crypto-user',
    destinationClusterId: 'cluster-bbbbbbbbbbb',
    challenges: [TOKEN],
  },
  'user-replicate-import': { username: 'dave', role: 'crypto-user', challenge: TOKEN, sealed: 'AAAA' },
  'login-mfa-start': { username: 'admin', role: 'admin', password: NODE_ADMIN_PASSWORD },
  'login-mfa-finish': { token: TOKEN, signature: 'AAAA', commit: false },
  'change-mfa-start': { username: 'dave', role: 'crypto-user', password: 'dave-pass-3' },
  'change-mfa-finish': { token: TOKEN, signature: 'AAAA', publicKey: 'x', commit: false },
  'change-mfa-deregister': { username: 'dave', role: 'crypto-user', password: 'dave-pass-4' },
  'quorum-generate': { service: 'user' },
  'quorum-register-start': {},
  'quorum-register-finish': { publicKey: 'x', tokens: [], commit: false },
  'quorum-list': {},
  'quorum-list-values': {},
  'quorum-set-value': { service: 'user', value: 1 },
  'quorum-list-timeouts': {},
  'quorum-set-timeout': { generated: 60 },
  'quorum-delete': { scope: 'user' },
  'quorum-get-policy': {},
  'quorum-set-policy': { selfApproval: true },
  'dev-clock-get': {},
  'dev-clock-set': { offsetMs: 1000 },
  'key-generate': { type: 'aes', label: 'k', keyLengthBytes: 32 },
  'key-import': { pem: 'x', label: 'k', keyTypeClass: 'rsa-public' },
  'key-insert': { copy: 'x' },
  'key-list': { filter: [], maxItems: 10, offset: 0, verbose: true },
  'key-delete': { ref: '0x1' },
  'key-share': { ref: '0x1', username: 'carol', role: 'crypto-user' },
  'key-unshare': { ref: '0x1', username: 'carol', role: 'crypto-user' },
  'key-set-attribute': { ref: '0x1', name: 'label', value: 'x' },
  'key-export': { ref: '0x1', encoding: 'pem' },
  'key-replicate-challenge': { ref: '0x1' },
  'key-replicate-export': { ref: '0x1', destinationClusterId: 'cluster-bbbbbbbbbbb', challenges: [TOKEN] },
  'key-replicate-import': { ref: '0x1', challenge: TOKEN, sealed: 'AAAA' },
  'key-wrap': { mechanism: 'aes-zero-pad', payloadRef: '0x1', wrappingRef: '0x2' },
  'key-unwrap': { mechanism: 'aes-zero-pad', ref: '0x1', wrapped: '', keyTypeClass: 'aes', label: 'k' },
  'crypto-sign': { ref: '0x1', mechanism: 'ecdsa', hash: 'sha256', digest: '' },
  'crypto-verify': { ref: '0x1', mechanism: 'ecdsa', hash: 'sha256', digest: '', signature: '' },
  'key-sync-list': { proof: 'x' },
  'key-sync-copy': { proof: 'x', refs: [1] },
  'key-sync-apply': { proof: 'x', copies: [], tombstones: [] },
  'mtls-register-trust-anchor': { certificate: 'x' },
  'mtls-deregister-trust-anchor': { reference: '0x01' },
  'mtls-list-trust-anchors': {},
  'mtls-set-enforcement': { level: 'none' },
  'mtls-get-enforcement': {},
  'quorum-list-operator': { proof: '0'.repeat(64) },
};

const ALL = Object.keys(OPERATIONS) as OperationName[];
const withLevel = (level: string) => ALL.filter((op) => OPERATIONS[op].access.level === level);

/** An activated node with a crypto user, carol. */
async function nodeWithCarol(): Promise<TestNode> {
  const t = await makeNode({ activated: true, settings: { dev_clock: 'on' } });
  const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
  success(
    await t.send(admin, 'user-create', { username: 'carol', role: 'crypto-user', password: CAROL_PASSWORD }),
  );
  return t;
}

const permissionDenied = (action: string) => ({
  code: 'ERR_PERMISSION_DENIED',
  message: formatMessage('ERR_PERMISSION_DENIED', { role: 'crypto-user', action }),
  params: { role: 'crypto-user', action },
});
const notLoggedIn = {
  code: 'ERR_NOT_LOGGED_IN',
  message: formatMessage('ERR_NOT_LOGGED_IN', {}),
  params: {},
};

describe('access, as each descriptor declares it', () => {
  it('every level is used as intended and each self-or-admin operation names its target', () => {
    for (const op of withLevel('self-or-admin')) {
      const shape = (OPERATIONS[op].args as unknown as { shape: Record<string, unknown> }).shape;
      assert.ok('username' in shape && 'role' in shape, op);
    }
    assert.deepEqual(withLevel('logged-out'), ['login', 'login-mfa-start', 'login-mfa-finish']);
  });

  for (const op of withLevel('admin')) {
    it(`${op} (admin) refuses a logged-out session, then a crypto user, with the codes it always gave`, async () => {
      const t = await nodeWithCarol();
      assert.deepEqual(refusal(await t.send(t.node.openSession(), op, SAMPLE_ARGS[op])), notLoggedIn);
      const carol = await t.loginSession('carol', 'crypto-user', CAROL_PASSWORD);
      const access = OPERATIONS[op].access as { action: string };
      assert.deepEqual(refusal(await t.send(carol, op, SAMPLE_ARGS[op])), permissionDenied(access.action));
    });
  }

  for (const op of withLevel('self-or-admin')) {
    it(`${op} (self or admin) checks login, then the target's name and role, then the caller's role`, async () => {
      const t = await nodeWithCarol();
      const args = SAMPLE_ARGS[op];
      assert.deepEqual(refusal(await t.send(t.node.openSession(), op, args)), notLoggedIn);
      const carol = await t.loginSession('carol', 'crypto-user', CAROL_PASSWORD);
      // A malformed target is reported as such before the role is looked at (as before the table).
      assert.equal(
        refusal(await t.send(carol, op, { ...args, username: 'not valid!' })).code,
        'ERR_INVALID_USERNAME',
      );
      assert.equal(refusal(await t.send(carol, op, { ...args, role: 'boss' })).code, 'ERR_INVALID_ROLE');
      const access = OPERATIONS[op].access as { action: string };
      assert.deepEqual(refusal(await t.send(carol, op, args)), permissionDenied(access.action));
      // Carol on herself gets past the access check (whatever the operation then says).
      const self = await t.send(carol, op, { ...args, username: 'Carol', role: 'crypto-user' });
      assert.ok(self.ok || self.error.code !== 'ERR_PERMISSION_DENIED', op);
    });
  }

  for (const op of withLevel('login')) {
    it(`${op} (login) refuses a logged-out session`, async () => {
      const t = await nodeWithCarol();
      assert.deepEqual(refusal(await t.send(t.node.openSession(), op, SAMPLE_ARGS[op])), notLoggedIn);
    });
  }

  for (const op of withLevel('logged-out')) {
    it(`${op} (logged out) refuses a session that is logged in`, async () => {
      const t = await nodeWithCarol();
      const carol = await t.loginSession('carol', 'crypto-user', CAROL_PASSWORD);
      assert.deepEqual(refusal(await t.send(carol, op, SAMPLE_ARGS[op])), {
        code: 'ERR_ALREADY_LOGGED_IN',
        message: formatMessage('ERR_ALREADY_LOGGED_IN', { username: 'carol' }),
        params: { username: 'carol' },
      });
    });
  }

  for (const op of withLevel('anyone')) {
    it(`${op} (anyone) needs no login`, async () => {
      const t = await nodeWithCarol();
      const reply = await t.send(t.node.openSession(), op, SAMPLE_ARGS[op]);
      assert.ok(reply.ok || reply.error.code !== 'ERR_NOT_LOGGED_IN', op);
    });
  }
});

describe('auditing, as each descriptor declares it', () => {
  for (const op of ALL) {
    const writes = OPERATIONS[op].writes;
    it(`${op} ${writes ? 'writes one audit entry per attempt' : 'is not audited'}`, async () => {
      const t = await nodeWithCarol();
      const loggedOut =
        OPERATIONS[op].access.level === 'logged-out' || OPERATIONS[op].access.level === 'anyone';
      const session = loggedOut
        ? t.node.openSession()
        : await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
      const before = t.store.listAudit().length;
      const reply = await t.send(session, op, SAMPLE_ARGS[op]);
      const entries = t.store.listAudit().slice(before);
      assert.equal(entries.length, writes ? 1 : 0, JSON.stringify(entries));
      if (writes) {
        assert.equal(entries[0]!.operation, op);
        assert.equal(entries[0]!.result, reply.ok ? 'ok' : reply.error.code);
      }
    });
  }

  it('display names are the texts of the client messages', () => {
    assert.equal(displayName('user-delete'), 'User delete');
    assert.equal(displayName('change-mfa-finish'), 'User change MFA');
    assert.equal(displayName('cluster-activate'), 'Cluster activation');
  });
});

/** A memory store whose audit appends fail on demand (a full disk, say). */
class FailingAuditStore extends MemoryStore {
  failAudit = false;
  override appendAudit(entry: AuditEntry): void {
    if (this.failAudit) throw new Error('disk full');
    super.appendAudit(entry);
  }
}

describe('the audit entry commits with the change it records', () => {
  let nextId = 1;
  async function setup(settings: { [K in SettingKey]?: string } = {}) {
    const store = new FailingAuditStore();
    provisionHsm(store, { hsmId: 'hsm-a', clusterId: 'cluster-a', serialNumber: 'S', kdf: 'fast' });
    for (const [k, v] of Object.entries(settings)) store.setSetting(k as SettingKey, v);
    const internal: string[] = [];
    const node = new HsmNode(store, { clock: new ManualClock(), onInternalError: (op) => internal.push(op) });
    const send = (session: Session, op: string, args: unknown): Promise<Reply> =>
      node.handle({ v: 1, id: nextId++, op, args }, session);
    const admin = node.openSession();
    success(await send(admin, 'cluster-activate', { password: NODE_ADMIN_PASSWORD }));
    success(await send(admin, 'login', { username: 'admin', role: 'admin', password: NODE_ADMIN_PASSWORD }));
    return { store, node, send, admin, internal };
  }

  it('a change whose audit entry cannot be written is not applied, and the client gets an error', async () => {
    const { store, send, admin, internal } = await setup();
    const entries = store.listAudit().length;
    store.failAudit = true;
    const reply = await send(admin, 'user-create', {
      username: 'erin',
      role: 'crypto-user',
      password: 'erin-pass-1',
    });
    assert.equal(refusal(reply).code, 'ERR_INTERNAL');
    assert.equal(store.getUser('erin'), undefined);
    assert.equal(store.listAudit().length, entries);
    assert.ok(internal.length > 0);
    store.failAudit = false;
    success(
      await send(admin, 'user-create', { username: 'erin', role: 'crypto-user', password: 'erin-pass-1' }),
    );
    assert.deepEqual(
      store
        .listAudit()
        .slice(entries)
        .map((e) => `${e.actor} ${e.operation} ${e.target} ${e.result}`),
      ['admin user-create erin ok'],
    );
  });

  it('a write outside a transaction (dev-clock-set) commits with its entry too', async () => {
    const secret = 'c'.repeat(64);
    const { store, node, send } = await setup({
      dev_clock: 'on',
      dev_clock_secret_sha256: devClockSecretHash(secret),
    });
    store.failAudit = true;
    const reply = await send(node.openSession(), 'dev-clock-set', { offsetMs: 5000, secret });
    assert.equal(refusal(reply).code, 'ERR_INTERNAL');
    assert.equal(store.getSetting('dev_clock_offset_ms'), undefined);
  });

  it("a failed login's count commits with its ERR_LOGIN_FAILED entry", async () => {
    const { store, node, send } = await setup();
    const session = node.openSession();
    const entries = store.listAudit().length;
    refusal(await send(session, 'login', { username: 'admin', role: 'admin', password: 'wrong-pass-1' }));
    assert.equal(store.getUser('admin')!.failedLogins, 1);
    assert.deepEqual(
      store
        .listAudit()
        .slice(entries)
        .map((e) => `${e.operation} ${e.target} ${e.result}`),
      ['login admin ERR_LOGIN_FAILED'],
    );
    store.failAudit = true;
    assert.equal(
      refusal(await send(session, 'login', { username: 'admin', role: 'admin', password: 'wrong-pass-1' }))
        .code,
      'ERR_INTERNAL',
    );
    assert.equal(store.getUser('admin')!.failedLogins, 1);
  });

  it('a read-only operation cannot write', async () => {
    const { node } = await setup();
    const readers = ALL.filter((op) => !OPERATIONS[op].writes);
    assert.ok(readers.includes('user-list'));
    // The store a read-only handler gets refuses writes, so `writes: false` cannot hide a change.
    const view = new ReadOnlyStore(node.store);
    assert.throws(() => view.setSetting('x', 'y'), /read-only operation/);
    assert.throws(() => view.transaction(() => view.deleteUser('admin')), /read-only operation/);
  });
});
