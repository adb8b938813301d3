// The keys × HSMs page over key tables of keys-core's shape: metadata and coverage per HSM, never material.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { countKeys, readKeySummaries } from '../../src/console/keys.js';
import { keysPage } from '../../src/console/pages.js';
import { tempDir } from '../helpers/cluster.js';

/** keys-core's `keys` table (src/hsm/store/sqlite.ts on that branch), with a few rows. */
function keyDb(file: string, rows: [number, string, number | null][]): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE keys (ref INTEGER PRIMARY KEY, key_type TEXT NOT NULL, class TEXT NOT NULL, label TEXT NOT NULL,
    owner TEXT NOT NULL, shared TEXT NOT NULL, manage_quorum INTEGER NOT NULL, use_quorum INTEGER NOT NULL,
    session_id INTEGER, attributes TEXT NOT NULL, material BLOB NOT NULL) STRICT`);
  const insert = db.prepare('INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const [ref, label, session] of rows)
    insert.run(
      ref,
      'rsa',
      'private-key',
      label,
      'alice',
      '["bob"]',
      1,
      2,
      session,
      '{}',
      Buffer.from('SECRET-MATERIAL'),
    );
  db.close();
}

describe('keys × HSMs', () => {
  it('lists token keys by reference with owner, shares, quorum values and coverage, without material', () => {
    const dir = tempDir('localhsm-console-keys-');
    try {
      const files = ['a', 'b'].map((n) => path.join(dir, `${n}.db`));
      keyDb(files[0]!, [
        [1, 'signing', null],
        [2, 'only-here', null],
        [3, 'session', 7],
      ]);
      keyDb(files[1]!, [[1, 'signing', null]]);
      const a = readKeySummaries(files[0]!)!;
      assert.deepEqual(a[0], {
        ref: '0x0000000000000001',
        label: 'signing',
        keyType: 'rsa',
        keyClass: 'private-key',
        owner: 'alice',
        shared: ['bob'],
        manageQuorum: 1,
        useQuorum: 2,
      });
      assert.equal(a.length, 2);
      assert.equal(countKeys(files[0]!), 2);
      const hsm = (id: string) => ({ id, host: '127.0.0.1', port: 1 });
      const html = keysPage([
        { hsm: hsm('hsm-aaaaaaaaaaa'), keys: a },
        { hsm: hsm('hsm-bbbbbbbbbbb'), keys: readKeySummaries(files[1]!)! },
      ]);
      assert.match(html, /2 token keys/);
      assert.match(html, /0x0000000000000001<\/code><\/td><td>signing<\/td>.*<td>full<\/td>/);
      assert.match(html, /only-here.*missing.*inconsistent/);
      assert.doesNotMatch(html, /SECRET|session/);
      // A database without the key table (the user plane only) has no keys to show.
      const bare = path.join(dir, 'bare.db');
      new Database(bare).close();
      assert.equal(readKeySummaries(bare), undefined);
      assert.match(keysPage([{ hsm: hsm('hsm-aaaaaaaaaaa'), keys: undefined }]), /no key table yet/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
