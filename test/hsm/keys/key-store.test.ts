// The key half of the Store contract, run against SQLite (temp file) and memory: references, visibility, filters, pages.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parseFilter, type KeyViewer } from '../../../src/hsm/keys/filter.js';
import type { KeyRecord } from '../../../src/hsm/keys/record.js';
import { MemoryStore } from '../../../src/hsm/store/memory.js';
import { SqliteStore } from '../../../src/hsm/store/sqlite.js';
import type { Store } from '../../../src/hsm/store/store.js';
import { tempDir } from '../../helpers/cluster.js';

function key(ref: number, overrides: Partial<KeyRecord> = {}): KeyRecord {
  const keyClass = overrides.keyClass ?? 'secret-key';
  const label = overrides.label ?? `k${ref}`;
  return {
    ref,
    keyType: 'aes',
    keyClass,
    label,
    owner: 'alice',
    shared: [],
    manageQuorum: 0,
    useQuorum: 0,
    sessionId: null,
    attributes: { 'key-type': 'aes', label, id: '0x', class: keyClass, sign: true, 'key-length-bytes': 32 },
    material: Buffer.from([ref & 0xff, 1, 2]),
    ...overrides,
  };
}

const alice: KeyViewer = { username: 'alice', role: 'crypto-user', sessionId: 1 };
const bob: KeyViewer = { username: 'bob', role: 'crypto-user', sessionId: 2 };
const admin: KeyViewer = { username: 'admin', role: 'admin', sessionId: 3 };
const all = { limit: 1000, offset: 0 };
const refs = (r: { keys: KeyRecord[] }) => r.keys.map((k) => k.ref);

function contract(name: string, open: () => { store: Store; cleanup(): void }): void {
  describe(`Store keys: ${name}`, () => {
    let store: Store;
    let cleanup: () => void;
    beforeEach(() => ({ store, cleanup } = open()));
    afterEach(() => cleanup());

    it('allocates references monotonically, past inserted ones, never twice after a delete', () => {
      assert.equal(store.allocateKeyRef(), 1);
      assert.equal(store.allocateKeyRef(), 2);
      store.insertKey(key(40));
      assert.equal(store.allocateKeyRef(), 41);
      store.deleteKey(40);
      assert.equal(store.allocateKeyRef(), 42);
      assert.throws(() => {
        store.insertKey(key(7));
        store.insertKey(key(7));
      });
    });

    it('gets back every field, shares in order, and updates', () => {
      const k = key(5, { shared: ['carol', 'bob'], manageQuorum: 2, useQuorum: 3, sessionId: 9 });
      store.insertKey(k);
      assert.deepEqual(store.getKey(5), k);
      assert.deepEqual(Object.keys(store.getKey(5)!.attributes), Object.keys(k.attributes));
      store.updateKey({ ...k, label: 'new', shared: ['bob'] });
      assert.equal(store.getKey(5)!.label, 'new');
      assert.deepEqual(store.getKey(5)!.shared, ['bob']);
      assert.equal(store.getKey(6), undefined);
    });

    it('shows owners their keys, shared users their shares, every CU the public keys, admins every token key', () => {
      store.insertKey(key(1));
      store.insertKey(key(2, { shared: ['bob'] }));
      store.insertKey(key(3, { keyClass: 'public-key' }));
      store.insertKey(key(4, { keyClass: 'private-key' }));
      store.insertKey(key(5, { sessionId: 1 }));
      assert.deepEqual(refs(store.findKeys(alice, [], all)), [1, 2, 3, 4, 5]);
      assert.deepEqual(refs(store.findKeys(bob, [], all)), [2, 3]);
      assert.deepEqual(refs(store.findKeys(admin, [], all)), [1, 2, 3, 4]);
      assert.deepEqual(refs(store.findKeys({ ...alice, sessionId: 7 }, [], all)), [1, 2, 3, 4]);
    });

    it('filters by label, class, reference and JSON attributes (ANDed), and pages in reference order', () => {
      for (let i = 1; i <= 25; i++) store.insertKey(key(i * 3, { label: i % 2 ? 'odd' : 'even' }));
      const odd = store.findKeys(alice, parseFilter(['attr.label=odd']), { limit: 5, offset: 5 });
      assert.equal(odd.total, 13);
      assert.deepEqual(refs(odd), [33, 39, 45, 51, 57]);
      assert.deepEqual(refs(store.findKeys(alice, parseFilter(['key-reference=0x1e']), all)), [30]);
      assert.deepEqual(refs(store.findKeys(alice, parseFilter(['attr.key-reference=30']), all)), [30]);
      assert.equal(store.findKeys(alice, parseFilter(['attr.sign=true', 'attr.label=even']), all).total, 12);
      assert.equal(store.findKeys(alice, parseFilter(['attr.sign=false']), all).total, 0);
      assert.equal(store.findKeys(alice, parseFilter(['attr.key-length-bytes=32']), all).total, 25);
      assert.equal(store.findKeys(alice, parseFilter(['attr.curve=secp256r1']), all).total, 0);
      const beyond = store.findKeys(alice, [], { limit: 10, offset: 100 });
      assert.deepEqual([beyond.keys.length, beyond.total], [0, 25]);
    });

    it('drops the keys of one session, or every session key', () => {
      store.insertKey(key(1, { sessionId: 1 }));
      store.insertKey(key(2, { sessionId: 2 }));
      store.insertKey(key(3));
      assert.equal(store.deleteSessionKeys(1), 1);
      assert.deepEqual(refs(store.findKeys(admin, [], all)), [3]);
      assert.equal(store.deleteSessionKeys(), 1);
      assert.equal(store.countKeys(), 1);
      assert.equal(store.countKeys('alice'), 1);
      assert.equal(store.countKeys('bob'), 0);
    });

    it('counts asymmetric key objects (public and private, session keys included) apart from secret keys', () => {
      store.insertKey(key(1));
      store.insertKey(key(2, { keyType: 'rsa', keyClass: 'public-key' }));
      store.insertKey(key(3, { keyType: 'rsa', keyClass: 'private-key', sessionId: 1 }));
      assert.deepEqual([store.countKeys(), store.countAsymmetricKeys()], [3, 2]);
    });

    it('rolls a failed transaction back, keys included', () => {
      assert.throws(() =>
        store.transaction(() => {
          store.insertKey(key(1));
          throw new Error('boom');
        }),
      );
      assert.equal(store.getKey(1), undefined);
    });
  });
}

contract('SqliteStore', () => {
  const store = new SqliteStore(path.join(tempDir('localhsm-keys-'), 'hsm.db'));
  return { store, cleanup: () => store.close() };
});
contract('MemoryStore', () => ({ store: new MemoryStore(), cleanup: () => {} }));
