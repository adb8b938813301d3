// Who may wrap and unwrap (spec §10.1), by hand-made wire requests straight to HsmNode.handle: the payload's
// owner only; a wrapping key its owner, a user it is shared with, or anyone's public key; unwrapping keys
// their owner or shared users; admins never.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import type { Session } from '../../src/hsm/session.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../helpers/typed-node.js';

const PASS = 'crypto-pass-1';
type Actor = 'none' | 'admin' | 'owner' | 'shared' | 'other';
const ACTORS: Actor[] = ['none', 'admin', 'owner', 'shared', 'other'];
const OUTSIDE_PEM = crypto
  .generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

interface Fixture {
  t: TestNode;
  sessions: Record<Actor, Session>;
  /** owner's AES key (wrap=true, unwrap=true), shared with `shared`. */
  kek: string;
  /** owner's AES payload, shared with `shared`. */
  payload: string;
  /** `shared`'s and `other`'s own AES payloads. */
  sharedPayload: string;
  otherPayload: string;
  /** owner's imported RSA public key with wrap=true. */
  publicWrap: string;
  /** `payload` wrapped under `kek` with aes-zero-pad. */
  wrapped: string;
}

async function fixture(): Promise<Fixture> {
  const t = await startTestNode();
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  for (const u of ['owner', 'shared', 'other'])
    await t.ok(admin, 'user-create', { username: u, role: 'crypto-user', password: PASS });
  const owner = await t.login('owner', PASS, 'crypto-user');
  const shared = await t.login('shared', PASS, 'crypto-user');
  const other = await t.login('other', PASS, 'crypto-user');
  const aes = async (s: Session, label: string, attributes: string[] = [], share: string[] = []) =>
    (await t.ok(s, 'key-generate', { type: 'aes', label, keyLengthBytes: 16, attributes, share })).keys[0]!
      .ref;
  const kek = await aes(owner, 'kek', ['wrap=true', 'unwrap=true'], ['shared']);
  const payload = await aes(owner, 'payload', [], ['shared']);
  const publicWrap = (
    await t.ok(owner, 'key-import', {
      pem: OUTSIDE_PEM,
      label: 'public-wrap',
      keyTypeClass: 'rsa-public',
      attributes: ['wrap=true'],
    })
  ).keys[0]!.ref;
  const { wrapped } = await t.ok(owner, 'key-wrap', {
    mechanism: 'aes-zero-pad',
    payloadRef: payload,
    wrappingRef: kek,
  });
  return {
    t,
    sessions: { none: t.session(), admin, owner, shared, other },
    kek,
    payload,
    sharedPayload: await aes(shared, 'shared-payload'),
    otherPayload: await aes(other, 'other-payload'),
    publicWrap,
    wrapped,
  };
}

type Outcome =
  'ok' | 'ERR_NOT_LOGGED_IN' | 'ERR_PERMISSION_DENIED' | 'ERR_KEY_NOT_OWNER' | 'ERR_KEY_SELECTION';
interface Row {
  name: string;
  request: (f: Fixture) => { op: string; args: unknown };
  expect: Record<Actor, Outcome>;
}

const wrap = (payloadRef: string, wrappingRef: string, mechanism = 'aes-zero-pad') => ({
  op: 'key-wrap',
  args: { mechanism, payloadRef, wrappingRef },
});
const DENIED = { none: 'ERR_NOT_LOGGED_IN', admin: 'ERR_PERMISSION_DENIED' } as const;

const ROWS: Row[] = [
  {
    name: "key-wrap of the owner's payload (shared with `shared`) under the owner's shared AES key",
    request: (f) => wrap(f.payload, f.kek),
    expect: { ...DENIED, owner: 'ok', shared: 'ERR_KEY_NOT_OWNER', other: 'ERR_KEY_SELECTION' },
  },
  {
    name: "key-wrap of `shared`'s own payload under the owner's AES key shared with it",
    request: (f) => wrap(f.sharedPayload, f.kek),
    expect: { ...DENIED, owner: 'ERR_KEY_SELECTION', shared: 'ok', other: 'ERR_KEY_SELECTION' },
  },
  {
    name: "key-wrap of `other`'s own payload under the owner's public RSA key",
    request: (f) => wrap(f.otherPayload, f.publicWrap, 'rsa-pkcs'),
    expect: { ...DENIED, owner: 'ERR_KEY_SELECTION', shared: 'ERR_KEY_SELECTION', other: 'ok' },
  },
  {
    name: "key-unwrap with the owner's AES key shared with `shared`",
    request: (f) => ({
      op: 'key-unwrap',
      args: { mechanism: 'aes-zero-pad', ref: f.kek, wrapped: f.wrapped, keyTypeClass: 'aes', label: 'u' },
    }),
    expect: { ...DENIED, owner: 'ok', shared: 'ok', other: 'ERR_KEY_SELECTION' },
  },
];

describe('key wrap/unwrap permission matrix, by hand-made wire requests', () => {
  for (const row of ROWS) {
    it(`${row.name}: ${ACTORS.map((a) => `${a} ${row.expect[a]}`).join(', ')}`, async () => {
      const got: Record<string, Outcome> = {};
      for (const actor of ACTORS) {
        const f = await fixture();
        const { op, args } = row.request(f);
        const reply = await f.t.call(f.sessions[actor], op as never, args as never);
        got[actor] = reply.ok ? 'ok' : (reply.error.code as Outcome);
      }
      assert.deepEqual(got, row.expect);
    });
  }

  it("an unwrapped key belongs to its caller: `shared` owns what it unwrapped with the owner's key", async () => {
    const f = await fixture();
    const { keys, copies } = await f.t.ok(f.sessions.shared, 'key-unwrap', {
      mechanism: 'aes-zero-pad',
      ref: f.kek,
      wrapped: f.wrapped,
      keyTypeClass: 'aes',
      label: 'mine',
    });
    assert.equal(keys[0]!.owner, 'shared');
    assert.deepEqual(keys[0]!.shared, []);
    assert.equal(copies.length, 1);
    const a = keys[0]!.attributes!;
    assert.deepEqual([a.local, a['always-sensitive'], a['never-extractable']], [false, false, false]);
    // The owner of the wrapping key cannot see it.
    const listed = await f.t.ok(f.sessions.owner, 'key-list', {
      filter: ['attr.label=mine'],
      maxItems: 10,
      offset: 0,
      verbose: false,
    });
    assert.equal(listed.total, 0);
  });

  it('a session unwrap stays on its session and comes with no copy', async () => {
    const f = await fixture();
    const { keys, copies } = await f.t.ok(f.sessions.owner, 'key-unwrap', {
      mechanism: 'aes-zero-pad',
      ref: f.kek,
      wrapped: f.wrapped,
      keyTypeClass: 'aes',
      label: 'session-copy',
      session: true,
    });
    assert.equal(keys[0]!.session, true);
    assert.equal(keys[0]!.attributes!.token, false);
    assert.deepEqual(copies, []);
  });
});
