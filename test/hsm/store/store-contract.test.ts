// The Store contract, one suite run against every implementation (SQLite on a temp file, memory), plus SQLite's own guarantees.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryStore } from '../../../src/hsm/store/memory.js';
import { SCHEMA_VERSION, SqliteStore } from '../../../src/hsm/store/sqlite.js';
import type { Store, UserRecord } from '../../../src/hsm/store/store.js';
import { tempDir } from '../../helpers/cluster.js';

const PEM =
  '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n';

function user(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    username,
    role: 'crypto-user',
    passwordHash: `scrypt$v=1$N=1024,r=8,p=1$c2FsdA==$${username}`,
    failedLogins: 0,
    locked: false,
    mfaPublicKey: null,
    quorumPublicKey: null,
    ...overrides,
  };
}

interface Opened {
  store: Store;
  cleanup(): void;
}

/** The contract every Store implementation must keep. */
function storeContract(name: string, open: () => Opened): void {
  describe(`Store contract: ${name}`, () => {
    let opened: Opened;
    let store: Store;
    beforeEach(() => {
      opened = open();
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    it('starts empty', () => {
      assert.deepEqual(store.listUsers(), []);
      assert.equal(store.countUsers(), 0);
      assert.equal(store.getUser('alice'), undefined);
      assert.equal(store.getSetting('hsm_id'), undefined);
    });

    it('gets back exactly what was inserted, every field', () => {
      const full = user('alice', {
        role: 'admin',
        failedLogins: 3,
        locked: true,
        mfaPublicKey: PEM,
        quorumPublicKey: PEM.replace('MIIB', 'MIIC'),
      });
      const empty = user('bob', { passwordHash: null, role: 'unactivated-admin' });
      store.insertUser(full);
      store.insertUser(empty);
      assert.deepEqual(store.getUser('alice'), full);
      assert.deepEqual(store.getUser('bob'), empty);
      assert.equal(store.countUsers(), 2);
    });

    it('lists users in creation order, not name order', () => {
      for (const n of ['carol', 'alice', 'bob']) store.insertUser(user(n));
      assert.deepEqual(
        store.listUsers().map((u) => u.username),
        ['carol', 'alice', 'bob'],
      );
      // A user deleted and created again goes to the end.
      store.deleteUser('carol');
      store.insertUser(user('carol'));
      assert.deepEqual(
        store.listUsers().map((u) => u.username),
        ['alice', 'bob', 'carol'],
      );
    });

    it('summarises users for user list in creation order, with MFA and quorum as flags', () => {
      store.insertUser(user('zed', { locked: true, mfaPublicKey: PEM }));
      store.insertUser(user('amy', { role: 'admin', quorumPublicKey: PEM }));
      assert.deepEqual(store.listUserSummaries(), [
        { username: 'zed', role: 'crypto-user', locked: true, mfa: true, quorum: false },
        { username: 'amy', role: 'admin', locked: false, mfa: false, quorum: true },
      ]);
    });

    it('updates a user in place, keeping its position in the list', () => {
      store.insertUser(user('alice'));
      store.insertUser(user('bob'));
      const changed = user('alice', {
        passwordHash: 'new-hash',
        failedLogins: 5,
        locked: true,
        mfaPublicKey: PEM,
      });
      store.updateUser(changed);
      assert.deepEqual(store.getUser('alice'), changed);
      assert.deepEqual(
        store.listUsers().map((u) => u.username),
        ['alice', 'bob'],
      );
      store.updateUser(user('alice'));
      assert.deepEqual(store.getUser('alice'), user('alice'));
    });

    it('refuses to update a user that does not exist', () => {
      assert.throws(() => store.updateUser(user('ghost')), /ghost/);
      assert.equal(store.getUser('ghost'), undefined);
      assert.equal(store.countUsers(), 0);
    });

    it('deletes a user; deleting an absent user changes nothing', () => {
      store.insertUser(user('alice'));
      store.insertUser(user('bob'));
      store.deleteUser('alice');
      assert.equal(store.getUser('alice'), undefined);
      assert.equal(store.countUsers(), 1);
      store.deleteUser('alice');
      assert.deepEqual(
        store.listUsers().map((u) => u.username),
        ['bob'],
      );
    });

    it('refuses a duplicate insert and keeps the original', () => {
      store.insertUser(user('alice', { role: 'admin' }));
      assert.throws(() => store.insertUser(user('alice', { passwordHash: 'other' })));
      assert.deepEqual(store.getUser('alice'), user('alice', { role: 'admin' }));
      assert.equal(store.countUsers(), 1);
    });

    it('hands out copies: changing a returned record does not change the store', () => {
      store.insertUser(user('alice'));
      const got = store.getUser('alice')!;
      got.locked = true;
      store.listUsers()[0]!.failedLogins = 9;
      assert.deepEqual(store.getUser('alice'), user('alice'));
    });

    it('stores settings as strings and overwrites them', () => {
      store.setSetting('hsm_id', 'hsm-aaaaaaaaaaa');
      store.setSetting('max_users', '1024');
      store.setSetting('max_users', '2');
      assert.equal(store.getSetting('hsm_id'), 'hsm-aaaaaaaaaaa');
      assert.equal(store.getSetting('max_users'), '2');
      assert.equal(store.getSetting('dev_clock'), undefined);
    });

    it('commits a transaction and returns its value', () => {
      const value = store.transaction(() => {
        store.insertUser(user('alice'));
        store.setSetting('mfa_token_seconds', 'v');
        return 42;
      });
      assert.equal(value, 42);
      assert.deepEqual(store.getUser('alice'), user('alice'));
      assert.equal(store.getSetting('mfa_token_seconds'), 'v');
    });

    it('leaves no trace of a transaction that throws, and rethrows its error', () => {
      store.insertUser(user('alice'));
      store.insertUser(user('bob'));
      store.setSetting('mfa_token_seconds', 'before');
      const boom = new Error('boom');
      assert.throws(
        () =>
          store.transaction(() => {
            store.insertUser(user('carol'));
            store.updateUser(user('alice', { locked: true, failedLogins: 5 }));
            store.deleteUser('bob');
            store.setSetting('mfa_token_seconds', 'after');
            store.setSetting('session_idle_seconds', 'x');
            throw boom;
          }),
        (error) => error === boom,
      );
      assert.deepEqual(store.listUsers(), [user('alice'), user('bob')]);
      assert.equal(store.countUsers(), 2);
      assert.equal(store.getSetting('mfa_token_seconds'), 'before');
      assert.equal(store.getSetting('session_idle_seconds'), undefined);
      // The store still works after the rollback.
      store.insertUser(user('carol'));
      assert.equal(store.countUsers(), 3);
    });

    it('rolls back a transaction whose duplicate insert fails half-way', () => {
      store.insertUser(user('alice'));
      assert.throws(() =>
        store.transaction(() => {
          store.insertUser(user('bob'));
          store.insertUser(user('alice'));
        }),
      );
      assert.equal(store.getUser('bob'), undefined);
      assert.equal(store.countUsers(), 1);
    });
  });
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

storeContract('SqliteStore (temp file)', () => {
  const dir = tempDir('localhsm-store-');
  dirs.push(dir);
  const store = new SqliteStore(path.join(dir, 'hsm.db'));
  return { store, cleanup: () => store.close() };
});

storeContract('MemoryStore', () => ({ store: new MemoryStore(), cleanup: () => {} }));

describe('SqliteStore on disk', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tempDir('localhsm-sqlite-');
    dirs.push(dir);
    file = path.join(dir, 'hsm.db');
  });

  it('keeps users, order and settings across close and reopen', () => {
    const first = new SqliteStore(file);
    first.insertUser(user('carol', { role: 'admin', mfaPublicKey: PEM }));
    first.insertUser(user('alice', { locked: true, failedLogins: 5 }));
    first.setSetting('cluster_id', 'cluster-aaaaaaaaaaa');
    first.transaction(() => first.updateUser(user('alice', { passwordHash: 'changed' })));
    first.close();

    const second = new SqliteStore(file);
    try {
      assert.deepEqual(second.listUsers(), [
        user('carol', { role: 'admin', mfaPublicKey: PEM }),
        user('alice', { passwordHash: 'changed' }),
      ]);
      assert.equal(second.getSetting('cluster_id'), 'cluster-aaaaaaaaaaa');
    } finally {
      second.close();
    }
  });

  it('sets the schema version, WAL journal and synchronous=FULL', () => {
    const store = new SqliteStore(file);
    try {
      assert.ok(Number.isInteger(SCHEMA_VERSION) && SCHEMA_VERSION >= 1);
      assert.equal(store.database.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(store.database.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(store.database.pragma('synchronous', { simple: true }), 2);
    } finally {
      store.close();
    }
    // The schema version is in the file itself, not only in the open connection.
    const raw = new Database(file, { readonly: true });
    try {
      assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  it('creates the database file readable by its owner only (0600)', () => {
    const store = new SqliteStore(file);
    try {
      store.insertUser(user('alice'));
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      // SQLite gives the WAL and shared-memory files the database file's mode.
      assert.equal(fs.statSync(`${file}-wal`).mode & 0o777, 0o600);
      assert.equal(fs.statSync(`${file}-shm`).mode & 0o777, 0o600);
    } finally {
      store.close();
    }
  });

  it('refuses a state file written by a newer schema version', () => {
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => new SqliteStore(file), {
      message: `state file schema v${SCHEMA_VERSION + 1} is newer than this LocalHSM (v${SCHEMA_VERSION}); upgrade LocalHSM`,
    });
  });
});
