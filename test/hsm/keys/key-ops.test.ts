// Key and crypto wire operations through the node's handle(): creation, copies, visibility, sharing, attributes, signing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { formatMessage } from '../../../src/errors.js';
import { parseRef } from '../../../src/hsm/keys/record.js';
import type { Session } from '../../../src/hsm/session.js';
import { TEST_MASKING } from '../../helpers/node.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../../helpers/typed-node.js';

const PASS = 'crypto-pass-1';

async function cluster(): Promise<{ t: TestNode; admin: Session; alice: Session; bob: Session }> {
  const t = await startTestNode();
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  for (const u of ['alice', 'bob', 'carol'])
    await t.ok(admin, 'user-create', { username: u, role: 'crypto-user', password: PASS });
  return {
    t,
    admin,
    alice: await t.login('alice', PASS, 'crypto-user'),
    bob: await t.login('bob', PASS, 'crypto-user'),
  };
}

const list = (t: TestNode, s: Session, filter: string[] = [], verbose = true) =>
  t.ok(s, 'key-list', { filter, maxItems: 100, offset: 0, verbose });

describe('key operations on one HSM', () => {
  it('generates an AES key with the documented attributes in the documented order', async () => {
    const { t, alice } = await cluster();
    const { keys, copies } = await t.ok(alice, 'key-generate', {
      type: 'aes',
      label: 'aes1',
      keyLengthBytes: 32,
    });
    assert.equal(keys.length, 1);
    assert.equal(copies.length, 1);
    const key = keys[0]!;
    assert.match(key.ref, /^0x[0-9a-f]{16}$/);
    assert.deepEqual(Object.keys(key.attributes!), [
      'key-type',
      'label',
      'id',
      'check-value',
      'class',
      'encrypt',
      'decrypt',
      'token',
      'always-sensitive',
      'derive',
      'destroyable',
      'extractable',
      'local',
      'modifiable',
      'never-extractable',
      'private',
      'sensitive',
      'sign',
      'trusted',
      'unwrap',
      'verify',
      'wrap',
      'wrap-with-trusted',
      'key-length-bytes',
    ]);
    assert.deepEqual(
      { ...key.attributes, 'check-value': 'x' },
      {
        'key-type': 'aes',
        label: 'aes1',
        id: '0x',
        'check-value': 'x',
        class: 'secret-key',
        encrypt: false,
        decrypt: false,
        token: true,
        'always-sensitive': true,
        derive: false,
        destroyable: true,
        extractable: true,
        local: true,
        modifiable: true,
        'never-extractable': false,
        private: true,
        sensitive: true,
        sign: true,
        trusted: false,
        unwrap: false,
        verify: true,
        wrap: false,
        'wrap-with-trusted': false,
        'key-length-bytes': 32,
      },
    );
    // The material is stored sealed: it opens with the cluster key and gives the check value shown.
    const stored = t.store.getKey(parseRef(key.ref)!)!;
    const clear = TEST_MASKING.openMaterial(stored.ref, stored.material);
    assert.equal(clear.length, 32);
    assert.ok(!stored.material.includes(clear));
    const kcv = crypto.createCipheriv('aes-256-ecb', clear, null).update(Buffer.alloc(16)).subarray(0, 3);
    assert.equal(key.attributes!['check-value'], '0x' + kcv.toString('hex'));
    assert.equal(t.store.listAudit().at(-1)!.target, key.ref);
  });

  it('shows a private key to its owner and shared users only, public keys to every CU, admins references only', async () => {
    const { t, admin, alice, bob } = await cluster();
    const pair = await t.ok(alice, 'key-generate', {
      type: 'ec',
      curve: 'secp256r1',
      publicLabel: 'pub',
      privateLabel: 'priv',
      privateAttributes: ['sign=true'],
      publicAttributes: ['verify=true'],
    });
    const [pub, priv] = pair.keys;
    assert.equal(pub!.attributes!.class, 'public-key');
    assert.deepEqual(
      (await list(t, bob)).keys.map((k) => k.ref),
      [pub!.ref],
    );
    assert.equal((await list(t, alice)).total, 2);
    const adminView = await list(t, admin);
    assert.deepEqual(adminView.keys, [
      { ref: pub!.ref, label: 'pub', session: false },
      { ref: priv!.ref, label: 'priv', session: false },
    ]);
    // Bob cannot tell the private key from a key that does not exist.
    const hidden = await t.fails(bob, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ecdsa',
      hash: 'sha256',
      digest: '',
    });
    assert.equal(hidden.message, formatMessage('ERR_KEY_SELECTION', { count: 0 }));
    assert.equal(
      (await t.fails(bob, 'key-delete', { ref: pub!.ref })).message,
      'Only the owner of the key can perform this operation',
    );
    // Admins cannot use keys.
    const denied = await t.fails(admin, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ecdsa',
      hash: 'sha256',
      digest: '',
    });
    assert.equal(denied.code, 'ERR_PERMISSION_DENIED');
  });

  it('signs for the owner and a shared user, verifies, and stops after unshare', async () => {
    const { t, alice, bob } = await cluster();
    const pair = await t.ok(alice, 'key-generate', {
      type: 'rsa',
      modulusBits: 2048,
      publicExponent: 65537,
      publicLabel: 'p',
      privateLabel: 's',
      privateAttributes: ['sign=true'],
      publicAttributes: ['verify=true'],
    });
    const [pub, priv] = pair.keys;
    const message = Buffer.from('abc123');
    const hash = crypto.createHash('sha256').update(message).digest();
    const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), hash]);
    const args = {
      ref: priv!.ref,
      mechanism: 'rsa-pkcs' as const,
      hash: 'sha256' as const,
      digest: digestInfo.toString('base64'),
    };
    assert.match((await t.fails(bob, 'crypto-sign', args)).code, /ERR_KEY_SELECTION/);
    await t.ok(alice, 'key-share', { ref: priv!.ref, username: 'bob', role: 'crypto-user' });
    assert.equal(
      (await t.fails(alice, 'key-share', { ref: priv!.ref, username: 'bob', role: 'crypto-user' })).message,
      'Key is already shared with user bob',
    );
    assert.equal(
      (await t.fails(alice, 'key-share', { ref: priv!.ref, username: 'alice', role: 'crypto-user' })).message,
      'Key cannot be shared with its owner',
    );
    assert.equal(
      (await t.fails(alice, 'key-share', { ref: priv!.ref, username: 'admin', role: 'admin' })).message,
      'Key can only be shared with crypto users',
    );
    const { signature } = await t.ok(bob, 'crypto-sign', args);
    const spki = t.store.getKey(parseRef(pub!.ref)!)!.material;
    const publicKey = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
    assert.ok(crypto.verify('sha256', message, publicKey, Buffer.from(signature, 'base64')));
    await t.ok(bob, 'crypto-verify', { ...args, ref: pub!.ref, signature });
    const bad = await t.fails(bob, 'crypto-verify', {
      ...args,
      ref: pub!.ref,
      signature: Buffer.alloc(256, 1).toString('base64'),
    });
    assert.equal(bad.message, 'Signature verification failed');
    assert.equal((await t.fails(bob, 'key-delete', { ref: priv!.ref })).code, 'ERR_KEY_NOT_OWNER');
    await t.ok(alice, 'key-unshare', { ref: priv!.ref, username: 'bob', role: 'crypto-user' });
    assert.equal((await t.fails(bob, 'crypto-sign', args)).code, 'ERR_KEY_SELECTION');
    // A key without sign=true does not sign.
    const plain = await t.ok(alice, 'key-generate', {
      type: 'ec',
      curve: 'secp384r1',
      publicLabel: 'a',
      privateLabel: 'b',
    });
    const refused = await t.fails(alice, 'crypto-sign', {
      ...args,
      ref: plain.keys[1]!.ref,
      mechanism: 'ecdsa',
    });
    assert.equal(refused.message, 'Key does not have the required attribute sign set to true');
  });

  it('copies a token key to another HSM of the cluster, for its owner only, refusing tampered copies', async () => {
    const { t, alice } = await cluster();
    const other = await cluster();
    const { keys, copies } = await t.ok(alice, 'key-generate', {
      type: 'aes',
      label: 'k',
      keyLengthBytes: 16,
    });
    const inserted = await other.t.ok(other.alice, 'key-insert', { copy: copies[0]! });
    assert.deepEqual(inserted.key, keys[0]);
    // Sent twice (a retried create): the same key, nothing changes.
    assert.deepEqual((await other.t.ok(other.alice, 'key-insert', { copy: copies[0]! })).key, keys[0]);
    assert.equal(
      (await other.t.fails(other.bob, 'key-insert', { copy: copies[0]! })).code,
      'ERR_KEY_NOT_OWNER',
    );
    const [ref, body] = copies[0]!.split('.');
    const flipped = Buffer.from(body!, 'base64');
    flipped[40] ^= 1;
    const tampered = await other.t.fails(other.alice, 'key-insert', {
      copy: `${ref}.${flipped.toString('base64')}`,
    });
    assert.equal(tampered.code, 'ERR_KEY_BLOB');
    const moved = await other.t.fails(other.alice, 'key-insert', { copy: `0x0000000000000099.${body}` });
    assert.equal(moved.code, 'ERR_KEY_BLOB');
  });

  it('keeps the set-attribute rules: settable, one-way, read-only, admin for trusted only', async () => {
    const { t, admin, alice } = await cluster();
    const { keys } = await t.ok(alice, 'key-generate', {
      type: 'aes',
      label: 'k',
      keyLengthBytes: 32,
      attributes: ['extractable=false'],
    });
    const ref = keys[0]!.ref;
    assert.equal(keys[0]!.attributes!['never-extractable'], true);
    const set = (s: Session, name: string, value: string) =>
      t.call(s, 'key-set-attribute', { ref, name, value });
    const refusal = async (s: Session, name: string, value: string) => {
      const r = await set(s, name, value);
      return r.ok ? 'ok' : r.error.message;
    };
    assert.equal(
      await refusal(alice, 'extractable', 'true'),
      'Attribute extractable cannot be set to the value true by the user for this operation',
    );
    assert.equal(
      await refusal(alice, 'never-extractable', 'false'),
      'Attribute never-extractable cannot be set to the value false by the user for this operation',
    );
    assert.equal(await refusal(alice, 'label', 'renamed'), 'ok');
    assert.equal(await refusal(alice, 'encrypt', 'true'), 'ok');
    assert.equal(
      await refusal(alice, 'trusted', 'true'),
      'Attribute trusted cannot be set to the value true by the user for this operation',
    );
    assert.equal(await refusal(admin, 'trusted', 'true'), 'ok');
    assert.match(await refusal(admin, 'label', 'x'), /Permission denied/);
    assert.equal(await refusal(alice, 'colour', 'red'), 'Invalid key attribute: colour');
    assert.equal(await refusal(alice, 'modifiable', 'false'), 'ok');
    assert.equal(
      await refusal(alice, 'label', 'again'),
      'Attribute label cannot be set to the value again by the user for this operation',
    );
    const [view] = (await list(t, alice, ['attr.label=renamed'])).keys;
    assert.equal(view!.attributes!.trusted, true);
    assert.equal(view!.attributes!.encrypt, true);
  });

  it('refuses quorum values given alone or ≤ 1 and values above the associated users', async () => {
    const { t, alice } = await cluster();
    const gen = (extra: object) =>
      t.call(alice, 'key-generate', { type: 'aes', label: 'q', keyLengthBytes: 16, ...extra });
    const message = async (extra: object) => {
      const r = await gen(extra);
      return r.ok ? 'ok' : r.error.message;
    };
    const pair = 'The manage key and use key quorum values must be set to a value greater than 1';
    assert.equal(await message({ manageQuorum: 2 }), pair);
    assert.equal(await message({ manageQuorum: 1, useQuorum: 2 }), pair);
    assert.equal(await message({ manageQuorum: 2, useQuorum: 2 }), 'Invalid quorum value provided.');
    assert.equal(await message({ manageQuorum: 2, useQuorum: 2, share: ['bob'] }), 'ok');
    const [key] = (await list(t, alice, ['attr.label=q'])).keys;
    assert.deepEqual([key!.manageQuorum, key!.useQuorum, key!.shared], [2, 2, ['bob']]);
    const r = await t.fails(alice, 'key-set-attribute', { ref: key!.ref, name: 'label', value: 'x' });
    assert.equal(r.message, 'Quorum Failed');
  });

  it('drops session keys at logout, and refuses to delete a user who owns keys', async () => {
    const { t, admin, alice } = await cluster();
    await t.ok(alice, 'key-generate', { type: 'aes', label: 's', keyLengthBytes: 16, session: true });
    const copies = await t.ok(alice, 'key-generate', { type: 'aes', label: 'tok', keyLengthBytes: 16 });
    assert.equal((await list(t, alice)).total, 2);
    await t.ok(alice, 'logout', {});
    const again = await t.login('alice', PASS, 'crypto-user');
    assert.deepEqual(
      (await list(t, again)).keys.map((k) => k.label),
      ['tok'],
    );
    await t.ok(again, 'logout', {});
    const refusal = await t.fails(admin, 'user-delete', { username: 'alice', role: 'crypto-user' });
    assert.equal(refusal.message, 'User owns keys and cannot be deleted');
    const alice2 = await t.login('alice', PASS, 'crypto-user');
    await t.ok(alice2, 'key-delete', { ref: copies.keys[0]!.ref });
    await t.ok(alice2, 'logout', {});
    await t.ok(admin, 'user-delete', { username: 'alice', role: 'crypto-user' });
  });
});
