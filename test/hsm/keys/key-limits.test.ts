// Key limits per HSM type (spec §15), label length and key quorum bounds, enforced on the node for every way a key
// is created; the store is filled through its own API, so reaching a limit is cheap.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { formatMessage } from '../../../src/errors.js';
import { applianceMessage } from '../../../src/hsm/keys/appliance.js';
import { KEY_LIMITS } from '../../../src/hsm/keys/limits.js';
import type { KeyRecord } from '../../../src/hsm/keys/record.js';
import type { Session } from '../../../src/hsm/session.js';
import type { HsmType } from '../../../src/protocol/types.js';
import { TEST_MASKING } from '../../helpers/node.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../../helpers/typed-node.js';
import { ManualClock } from '../../helpers/cluster.js';

const PASS = 'crypto-pass-1';
const EC_PEM = crypto
  .generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

async function node(hsmType: HsmType): Promise<{ t: TestNode; alice: Session; users: string[] }> {
  const t = await startTestNode(new ManualClock(), { hsm_type: hsmType });
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  const users = ['alice', ...Array.from({ length: 8 }, (_, i) => `cu${i + 1}`)];
  for (const u of users)
    await t.ok(admin, 'user-create', { username: u, role: 'crypto-user', password: PASS });
  return { t, alice: await t.login('alice', PASS, 'crypto-user'), users };
}

/** Stores `count` placeholder key objects of one class straight through the store (no crypto). */
function fill(t: TestNode, count: number, keyClass: KeyRecord['keyClass'], firstRef?: number): void {
  t.store.transaction(() => {
    for (let i = 0; i < count; i++) {
      t.store.insertKey({
        ref: firstRef === undefined ? t.store.allocateKeyRef() : firstRef + i,
        keyType: keyClass === 'secret-key' ? 'aes' : 'ec',
        keyClass,
        label: 'filler',
        owner: 'bob',
        shared: [],
        manageQuorum: 0,
        useQuorum: 0,
        sessionId: null,
        attributes: {},
        material: Buffer.alloc(1),
      });
    }
  });
}

const full = (hsmType: HsmType, limit: number, kind: string) =>
  formatMessage('ERR_KEY_LIMIT', { hsmType, limit, kind });

const aes = (label = 'k', extra: object = {}) => ({
  type: 'aes' as const,
  label,
  keyLengthBytes: 16,
  ...extra,
});
const ec = { type: 'ec' as const, curve: 'secp256r1', publicLabel: 'p', privateLabel: 'q' };

describe('key limits per HSM type', () => {
  it('hsm1.medium holds 3,300 keys: generate and import are refused at the limit, with what to do next', async () => {
    const { t, alice } = await node('hsm1.medium');
    fill(t, KEY_LIMITS['hsm1.medium'].total - 1, 'secret-key');
    // One place left: a pair (two objects) does not fit, one AES key does.
    const pair = await t.fails(alice, 'key-generate', ec);
    assert.equal(pair.message, full('hsm1.medium', 3300, 'keys'));
    assert.match(pair.message, /delete keys that are no longer needed with key delete/);
    const made = await t.ok(alice, 'key-generate', aes());
    assert.equal(t.store.countKeys(), 3300);
    for (const [op, args] of [
      ['key-generate', aes('again')],
      ['key-import', { pem: EC_PEM, label: 'imp', keyTypeClass: 'ec-public' }],
    ] as const) {
      const r = await t.fails(alice, op, args as never);
      assert.equal(r.code, 'ERR_KEY_LIMIT', op);
    }
    // Deleting a key makes room again.
    await t.ok(alice, 'key-delete', { ref: made.keys[0]!.ref });
    await t.ok(alice, 'key-import', { pem: EC_PEM, label: 'imp', keyTypeClass: 'ec-public' });
    assert.equal(t.store.countKeys(), 3300);
  });

  it('hsm2m.medium holds 3,333 asymmetric keys (each key of a pair counts) and 16,666 in all', async () => {
    const { t, alice } = await node('hsm2m.medium');
    fill(t, KEY_LIMITS['hsm2m.medium'].asymmetric! - 1, 'public-key');
    const r = await t.fails(alice, 'key-generate', ec);
    assert.equal(r.message, full('hsm2m.medium', 3333, 'asymmetric keys'));
    await t.ok(alice, 'key-import', { pem: EC_PEM, label: 'last', keyTypeClass: 'ec-public' });
    assert.equal(t.store.countAsymmetricKeys(), 3333);
    assert.equal(
      (await t.fails(alice, 'key-import', { pem: EC_PEM, label: 'x', keyTypeClass: 'ec-public' })).code,
      'ERR_KEY_LIMIT',
    );
    // Secret keys still fit, up to the total.
    fill(t, 16_666 - 3333 - 1, 'secret-key');
    await t.ok(alice, 'key-generate', aes());
    assert.equal(t.store.countKeys(), 16_666);
    assert.equal(
      (await t.fails(alice, 'key-generate', aes('over'))).message,
      full('hsm2m.medium', 16_666, 'keys'),
    );
  });

  it('applies to unwrap', async () => {
    const { t, alice } = await node('hsm1.medium');
    const kek = (await t.ok(alice, 'key-generate', aes('kek', { attributes: ['wrap=true', 'unwrap=true'] })))
      .keys[0]!.ref;
    const payload = (await t.ok(alice, 'key-generate', aes('payload'))).keys[0]!.ref;
    const wrap = { mechanism: 'aes-zero-pad' as const, payloadRef: payload, wrappingRef: kek };
    const { wrapped } = await t.ok(alice, 'key-wrap', wrap);
    fill(t, 3300 - 2, 'secret-key');
    const unwrap = {
      mechanism: 'aes-zero-pad' as const,
      ref: kek,
      wrapped,
      keyTypeClass: 'aes' as const,
      label: 'u',
    };
    assert.equal((await t.fails(alice, 'key-unwrap', unwrap)).message, full('hsm1.medium', 3300, 'keys'));
    await t.ok(alice, 'key-delete', { ref: payload });
    await t.ok(alice, 'key-unwrap', unwrap);
  });

  it('session keys count', async () => {
    const { t, alice } = await node('hsm1.medium');
    fill(t, 3300 - 1, 'secret-key');
    await t.ok(alice, 'key-generate', aes('s', { session: true }));
    assert.equal((await t.fails(alice, 'key-generate', aes())).code, 'ERR_KEY_LIMIT');
  });

  it('holds under concurrency: two pairs generated at once for the last two places, one is refused', async () => {
    const { t, alice } = await node('hsm2m.medium');
    fill(t, 3333 - 2, 'public-key');
    const rsa = (n: number) => ({
      type: 'rsa' as const,
      modulusBits: 2048,
      publicExponent: 65537,
      publicLabel: `p${n}`,
      privateLabel: `q${n}`,
    });
    // Both pass the check made before the (asynchronous) RSA generation; only one may insert its pair.
    const replies = await Promise.all([
      t.call(alice, 'key-generate', rsa(1)),
      t.call(alice, 'key-generate', rsa(2)),
    ]);
    assert.deepEqual(replies.map((r) => (r.ok ? 'ok' : r.error.code)).sort(), ['ERR_KEY_LIMIT', 'ok']);
    assert.equal(t.store.countAsymmetricKeys(), 3333);
  });

  it('applies to key copies: client-side sync is refused and server-side sync skips what does not fit', async () => {
    const source = await node('hsm2m.medium');
    const made = await source.t.ok(source.alice, 'key-generate', ec);
    const secret = await source.t.ok(source.alice, 'key-generate', aes());
    const target = await node('hsm2m.medium');
    // References far from the source's, so the copies meet no other key under theirs.
    fill(target.t, 3333, 'public-key', 1_000_000);
    const refused = await target.t.fails(target.alice, 'key-insert', { copy: made.copies[0]! });
    assert.equal(refused.message, full('hsm2m.medium', 3333, 'asymmetric keys'));
    // The pair does not fit, the secret key after it still does.
    const args = { copies: [...made.copies, ...secret.copies], tombstones: [] };
    const proof = TEST_MASKING.applianceProof(applianceMessage('key-sync-apply', target.t.node.hsmId, args));
    const applied = await target.t.ok(target.t.session(), 'key-sync-apply', { proof, ...args });
    assert.equal(applied.inserted, 1);
    assert.equal(target.t.store.countKeys(), 3334);
    assert.ok(target.t.store.getKey(Number.parseInt(secret.keys[0]!.ref, 16)));
  });
});

describe('label length and key quorum bounds', () => {
  it('a label has at most 127 characters (counted as characters, not bytes) at creation, import and set-attribute', async () => {
    const { t, alice } = await node('hsm2m.medium');
    const ok = 'é'.repeat(127);
    const long = 'a'.repeat(128);
    const message = 'Invalid key parameters: a label has at most 127 characters';
    const made = await t.ok(alice, 'key-generate', aes(ok));
    assert.equal(made.keys[0]!.attributes!.label, ok);
    assert.equal((await t.fails(alice, 'key-generate', aes(long))).message, message);
    assert.equal((await t.fails(alice, 'key-generate', { ...ec, privateLabel: long })).message, message);
    assert.equal(
      (await t.fails(alice, 'key-import', { pem: EC_PEM, label: long, keyTypeClass: 'ec-public' })).message,
      message,
    );
    const set = await t.fails(alice, 'key-set-attribute', {
      ref: made.keys[0]!.ref,
      name: 'label',
      value: long,
    });
    assert.equal(set.message, message);
  });

  it('quorum values are 0 or 2 to 8, and at most the owner and shared users', async () => {
    const { t, alice, users } = await node('hsm2m.medium');
    const gen = async (manageQuorum: number, useQuorum: number, share: string[]) => {
      const r = await t.call(alice, 'key-generate', aes('q', { manageQuorum, useQuorum, share }));
      return r.ok ? 'ok' : r.error.message;
    };
    const invalid = 'Invalid quorum value provided.';
    const pair = 'The manage key and use key quorum values must be set to a value greater than 1';
    const eight = users.slice(1); // 8 crypto users besides the owner: 9 associated users
    assert.equal(await gen(8, 8, eight), 'ok');
    assert.equal(await gen(9, 2, eight), invalid);
    assert.equal(await gen(2, 9, eight), invalid);
    assert.equal(await gen(3, 2, eight.slice(0, 1)), invalid);
    assert.equal(await gen(2, 2, eight.slice(0, 1)), 'ok');
    assert.equal(await gen(0, 2, eight.slice(0, 1)), pair);
    assert.equal(await gen(1, 1, []), pair);
  });
});
