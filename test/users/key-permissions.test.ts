// The key plane's permission matrix (issue 16): each key and crypto operation x {not logged in, admin, owner,
// shared crypto user, other crypto user}, as hand-made requests straight to HsmNode.handle (no client checks).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import type { Session } from '../../src/hsm/session.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../helpers/typed-node.js';

const PASS = 'crypto-pass-1';
type Actor = 'none' | 'admin' | 'owner' | 'shared' | 'other';
const ACTORS: Actor[] = ['none', 'admin', 'owner', 'shared', 'other'];

interface Fixture {
  t: TestNode;
  sessions: Record<Actor, Session>;
  priv: string;
  pub: string;
  digest: string;
  signature: string;
}

async function fixture(): Promise<Fixture> {
  const t = await startTestNode();
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  for (const u of ['owner', 'shared', 'other', 'carol'])
    await t.ok(admin, 'user-create', { username: u, role: 'crypto-user', password: PASS });
  const owner = await t.login('owner', PASS, 'crypto-user');
  const { keys } = await t.ok(owner, 'key-generate', {
    type: 'ec',
    curve: 'prime256v1',
    publicLabel: 'pub',
    privateLabel: 'priv',
    publicAttributes: ['verify=true'],
    privateAttributes: ['sign=true'],
    share: ['shared'],
  });
  const digest = crypto.createHash('sha256').update('m').digest('base64');
  const { signature } = await t.ok(owner, 'crypto-sign', {
    ref: keys[1]!.ref,
    mechanism: 'ecdsa',
    hash: 'sha256',
    digest,
  });
  return {
    t,
    sessions: {
      none: t.session(),
      admin,
      owner,
      shared: await t.login('shared', PASS, 'crypto-user'),
      other: await t.login('other', PASS, 'crypto-user'),
    },
    priv: keys[1]!.ref,
    pub: keys[0]!.ref,
    digest,
    signature,
  };
}

type Outcome =
  | 'ok'
  | 'ERR_NOT_LOGGED_IN'
  | 'ERR_PERMISSION_DENIED'
  | 'ERR_KEY_NOT_OWNER'
  | 'ERR_KEY_SELECTION'
  | 'ERR_ATTRIBUTE_VALUE';
interface Row {
  name: string;
  request: (f: Fixture) => { op: string; args: unknown };
  expect: Record<Actor, Outcome>;
}

const MANAGE = {
  none: 'ERR_NOT_LOGGED_IN',
  admin: 'ERR_PERMISSION_DENIED',
  owner: 'ok',
  shared: 'ERR_KEY_NOT_OWNER',
  other: 'ERR_KEY_SELECTION',
} as const;

const ROWS: Row[] = [
  {
    name: 'key-generate',
    request: () => ({ op: 'key-generate', args: { type: 'aes', label: 'n', keyLengthBytes: 16 } }),
    expect: {
      none: 'ERR_NOT_LOGGED_IN',
      admin: 'ERR_PERMISSION_DENIED',
      owner: 'ok',
      shared: 'ok',
      other: 'ok',
    },
  },
  {
    name: 'key-list',
    request: () => ({ op: 'key-list', args: { filter: [], maxItems: 10, offset: 0, verbose: true } }),
    expect: { none: 'ERR_NOT_LOGGED_IN', admin: 'ok', owner: 'ok', shared: 'ok', other: 'ok' },
  },
  {
    name: 'key-delete (private key)',
    request: (f) => ({ op: 'key-delete', args: { ref: f.priv } }),
    expect: MANAGE,
  },
  {
    name: 'key-delete (public key)',
    request: (f) => ({ op: 'key-delete', args: { ref: f.pub } }),
    expect: { ...MANAGE, other: 'ERR_KEY_NOT_OWNER' },
  },
  {
    name: 'key-share',
    request: (f) => ({ op: 'key-share', args: { ref: f.priv, username: 'carol', role: 'crypto-user' } }),
    expect: MANAGE,
  },
  {
    name: 'key-unshare',
    request: (f) => ({ op: 'key-unshare', args: { ref: f.priv, username: 'shared', role: 'crypto-user' } }),
    expect: MANAGE,
  },
  {
    name: 'key-set-attribute label',
    request: (f) => ({ op: 'key-set-attribute', args: { ref: f.priv, name: 'label', value: 'x' } }),
    expect: { ...MANAGE, none: 'ERR_NOT_LOGGED_IN' },
  },
  {
    name: 'key-set-attribute trusted',
    request: (f) => ({ op: 'key-set-attribute', args: { ref: f.priv, name: 'trusted', value: 'true' } }),
    expect: { ...MANAGE, admin: 'ok', owner: 'ERR_ATTRIBUTE_VALUE' },
  },
  {
    name: 'key-export pem (public key)',
    request: (f) => ({ op: 'key-export', args: { ref: f.pub, encoding: 'pem' } }),
    expect: { ...MANAGE, other: 'ERR_KEY_NOT_OWNER' },
  },
  {
    name: 'key-export reference-pem (private key)',
    request: (f) => ({ op: 'key-export', args: { ref: f.priv, encoding: 'reference-pem' } }),
    expect: MANAGE,
  },
  {
    name: 'crypto-sign',
    request: (f) => ({
      op: 'crypto-sign',
      args: { ref: f.priv, mechanism: 'ecdsa', hash: 'sha256', digest: f.digest },
    }),
    expect: { ...MANAGE, shared: 'ok' },
  },
  {
    name: 'crypto-verify',
    request: (f) => ({
      op: 'crypto-verify',
      args: { ref: f.pub, mechanism: 'ecdsa', hash: 'sha256', digest: f.digest, signature: f.signature },
    }),
    expect: {
      none: 'ERR_NOT_LOGGED_IN',
      admin: 'ERR_PERMISSION_DENIED',
      owner: 'ok',
      shared: 'ok',
      other: 'ok',
    },
  },
];

describe('key permission matrix, by hand-made wire requests', () => {
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

  it('an admin lists every token key by reference and label only; other CUs see public keys only', async () => {
    const f = await fixture();
    const list = (a: Actor) =>
      f.t.ok(f.sessions[a], 'key-list', { filter: [], maxItems: 10, offset: 0, verbose: true });
    assert.deepEqual(
      (await list('admin')).keys.map((k) => Object.keys(k)),
      [
        ['ref', 'label', 'session'],
        ['ref', 'label', 'session'],
      ],
    );
    assert.deepEqual(
      (await list('other')).keys.map((k) => k.ref),
      [f.pub],
    );
    assert.deepEqual(
      (await list('shared')).keys.map((k) => k.ref),
      [f.pub, f.priv],
    );
  });
});
