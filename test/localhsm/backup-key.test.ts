// Backups under the cluster's backup key (report M5): encrypted, authenticated with a key that is not in the
// backup, refused before anything is written when they do not verify; legacy v1 files only on request.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { snapshotDatabase } from '../../src/localhsm/clone.js';
import { runLocalhsm } from '../helpers/localhsm.js';
import { ADMIN_PASSWORD, startActivatedCluster, tempDir, type TestCluster } from '../helpers/cluster.js';

describe('backup key', () => {
  let cluster: TestCluster;
  let work: string;
  let file: string;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 1 });
    const created = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      'alice-password-1',
    ]);
    assert.equal(created.json?.error_code, 0);
    work = tempDir('backup-key-');
    file = path.join(work, 'cluster.bak');
    const backup = await runLocalhsm(['backup', 'create', '--out', file, '--state', cluster.dir]);
    assert.equal(backup.code, 0, backup.stderr);
  });
  after(async () => {
    await cluster.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const restore = (source: string, target: string, ...extra: string[]) =>
    runLocalhsm([
      'backup',
      'restore',
      source,
      '--state',
      path.join(work, target),
      '--base-port',
      '0',
      ...extra,
    ]);

  it('the cluster has a 0600 backup key from its creation; the backup holds neither it nor readable state', () => {
    const keyFile = paths(cluster.dir).backupKey;
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    const key = fs.readFileSync(keyFile, 'utf8').trim().split(' ').at(-1)!;
    const bytes = fs.readFileSync(file);
    assert.ok(!bytes.includes(Buffer.from(key, 'hex')));
    assert.ok(!bytes.includes(key));
    assert.ok(!bytes.includes('SQLite format 3'));
    assert.ok(!bytes.includes('scrypt$'));
    assert.ok(!bytes.includes('alice'));
  });

  it('restore needs the key; without it, or with another key, nothing is written', async () => {
    const none = await restore(file, 'none');
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /encrypted under the backup key of the cluster that made it: give that key with --key-file/,
    );
    const otherKey = path.join(work, 'other.key');
    fs.writeFileSync(otherKey, `localhsm-backup-key v1 ${crypto.randomBytes(32).toString('hex')}\n`);
    const wrong = await restore(file, 'wrong', '--key-file', otherKey);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /it was made with another backup key \(key id [0-9a-f]{16}; the given key is [0-9a-f]{16}\)/,
    );
    assert.ok(!fs.existsSync(path.join(work, 'none')));
    assert.ok(!fs.existsSync(path.join(work, 'wrong')));
  });

  it('an edited header or body does not verify under the key', async () => {
    const bytes = fs.readFileSync(file);
    const text = bytes.toString('latin1');
    const header = Buffer.from(
      text.replace(/"hsmId":"hsm-[a-z2-7]{11}"/, '"hsmId":"hsm-aaaaaaaaaaa"'),
      'latin1',
    );
    fs.writeFileSync(path.join(work, 'header.bak'), header);
    const body = Buffer.from(bytes);
    body[body.length - 100] ^= 0x01;
    fs.writeFileSync(path.join(work, 'body.bak'), body);
    for (const name of ['header', 'body']) {
      const run = await restore(
        path.join(work, `${name}.bak`),
        name,
        '--key-file',
        paths(cluster.dir).backupKey,
      );
      assert.equal(run.code, 1, name);
      assert.match(run.stderr, /it does not verify under the backup key \(the file was altered\)/);
      assert.ok(!fs.existsSync(path.join(work, name)));
    }
  });

  it('backup key export writes a 0600 copy that restores the backup elsewhere', async () => {
    const exported = path.join(work, 'exported.key');
    const run = await runLocalhsm(['backup', 'key', 'export', '--out', exported, '--state', cluster.dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Backup key of cluster-\w+ \(key id [0-9a-f]{16}\) written to /);
    assert.equal(fs.statSync(exported).mode & 0o777, 0o600);
    const restored = await restore(file, 'restored', '--key-file', exported, '--hsms', '1');
    assert.equal(restored.code, 0, restored.stderr);
    // The restored cluster is a new cluster with its own backup key.
    const ownKey = fs.readFileSync(paths(path.join(work, 'restored')).backupKey, 'utf8');
    assert.notEqual(ownKey, fs.readFileSync(exported, 'utf8'));
    assert.notEqual(readManifest(path.join(work, 'restored')).clusterId, cluster.manifest.clusterId);
  });

  it('a forged v1 backup (edited users, checksum recomputed) is refused unless --allow-unauthenticated', async () => {
    // The red-team forgery: alice becomes an admin, then the unkeyed checksum is recomputed.
    const db = path.join(work, 'forged.db');
    await snapshotDatabase(paths(cluster.dir).hsm(cluster.manifest.hsms[0]!.id).db, db);
    const d = new Database(db);
    d.prepare("UPDATE users SET role = 'admin' WHERE username = 'alice'").run();
    d.pragma('journal_mode = DELETE');
    d.close();
    const database = fs.readFileSync(db);
    const header = {
      clusterId: cluster.manifest.clusterId,
      hsmId: cluster.manifest.hsms[0]!.id,
      createdAt: new Date().toISOString(),
      size: database.length,
      sha256: crypto.createHash('sha256').update(database).digest('hex'),
    };
    const forged = path.join(work, 'forged.bak');
    fs.writeFileSync(
      forged,
      Buffer.concat([Buffer.from(`LOCALHSM-BACKUP v1\n${JSON.stringify(header)}\n`), database]),
    );
    const refused = await restore(forged, 'forged');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /it is an unauthenticated backup of an earlier LocalHSM \(v1/);
    assert.ok(!fs.existsSync(path.join(work, 'forged')));
    const accepted = await restore(forged, 'legacy', '--allow-unauthenticated', '--hsms', '1');
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stderr, /warning: .* is an unauthenticated v1 backup/);
  });
});
