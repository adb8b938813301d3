// Secret and private key material never reaches the SQLite file (or its WAL) in clear; it opens only with the cluster key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Masking } from '../../../src/hsm/keys/masking.js';
import { parseRef } from '../../../src/hsm/keys/record.js';
import { HsmNode } from '../../../src/hsm/node.js';
import { provisionHsm } from '../../../src/hsm/provision.js';
import { SqliteStore } from '../../../src/hsm/store/sqlite.js';
import { ManualClock, tempDir } from '../../helpers/cluster.js';

describe('key material at rest', () => {
  it('is sealed in hsm.db: neither the secret nor the private key appears in the file', async () => {
    const dir = tempDir('localhsm-at-rest-');
    const file = path.join(dir, 'hsm.db');
    const store = new SqliteStore(file);
    provisionHsm(store, { hsmId: 'hsm-rest', clusterId: 'cluster-rest', serialNumber: 'S', kdf: 'fast' });
    const masking = new Masking(Buffer.alloc(32, 9));
    const node = new HsmNode(store, { clock: new ManualClock(), masking });
    const session = node.openSession();
    let id = 1;
    const send = async (op: string, args: unknown) => {
      const reply = await node.handle({ v: 1, id: id++, op, args }, session);
      assert.ok(reply.ok, JSON.stringify(reply));
      return reply.result as any;
    };
    await send('cluster-activate', { password: 'admin-pass-1' });
    await send('login', { username: 'admin', role: 'admin', password: 'admin-pass-1' });
    await send('user-create', { username: 'alice', role: 'crypto-user', password: 'alice-pass-1' });
    await send('logout', {});
    await send('login', { username: 'alice', role: 'crypto-user', password: 'alice-pass-1' });
    const aes = (await send('key-generate', { type: 'aes', label: 'a', keyLengthBytes: 32 })).keys[0];
    const ec = (
      await send('key-generate', { type: 'ec', curve: 'secp256k1', publicLabel: 'p', privateLabel: 's' })
    ).keys[1];
    const clear = [aes, ec].map((k) => {
      const row = store.getKey(parseRef(k.ref)!)!;
      return masking.openMaterial(row.ref, row.material);
    });
    // Another cluster's key cannot open it.
    assert.throws(() =>
      new Masking(Buffer.alloc(32, 8)).openMaterial(
        parseRef(aes.ref)!,
        store.getKey(parseRef(aes.ref)!)!.material,
      ),
    );
    const bytes = Buffer.concat(
      [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)),
    );
    assert.equal(bytes.indexOf(clear[0]!), -1, 'the AES key is in hsm.db in clear');
    // The EC private scalar: the 32 bytes after the PKCS#8 OCTET STRING header (04 20).
    const scalar = clear[1]!.subarray(clear[1]!.indexOf(Buffer.from([0x04, 0x20])) + 2).subarray(0, 32);
    assert.equal(scalar.length, 32);
    assert.equal(bytes.indexOf(scalar), -1, 'the EC private key is in hsm.db in clear');
    // The audit log names the keys by reference only.
    assert.ok(store.listAudit().some((e) => e.operation === 'key-generate' && e.target === aes.ref));
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
