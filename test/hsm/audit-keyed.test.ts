// The keyed audit log: a chain rewritten and recomputed without the HSM's audit key, or truncated behind a
// checkpoint, is reported; an HSM made before keyed logs gets its key at start; clones get their own key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { type AuditEntry, auditHash, verifyAuditLog } from '../../src/hsm/audit.js';
import { readAuditKey } from '../../src/hsm/audit-key.js';
import { type AuditRow, readAuditLog } from '../../src/hsm/store/sqlite.js';
import { cloneFrom } from '../../src/localhsm/clone.js';
import { runLocalhsm } from '../helpers/localhsm.js';
import { ADMIN_PASSWORD, startActivatedCluster, tempDir, type TestCluster } from '../helpers/cluster.js';

/** The red-team rewrite (report M6): edit entry `seq`, recompute every later hash and the recorded head. */
function rechain(dbFile: string, seq: number): void {
  const db = new Database(dbFile);
  db.transaction(() => {
    db.prepare("UPDATE audit SET actor = '-', target = 'nobody', result = 'ok' WHERE seq = ?").run(seq);
    let prev = db
      .prepare<[number], { hash: string }>('SELECT hash FROM audit WHERE seq = ?')
      .get(seq - 1)!.hash;
    for (const r of db
      .prepare<[number], AuditRow>('SELECT * FROM audit WHERE seq >= ? ORDER BY seq')
      .all(seq)) {
      const h = auditHash(r.seq, prev, r);
      db.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, h, r.seq);
      prev = h;
    }
    db.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(prev);
  })();
  db.close();
}

/** Cuts the log after entry `keep` and records the new last hash as the head. */
function truncate(dbFile: string, keep: number): void {
  const db = new Database(dbFile);
  db.prepare('DELETE FROM audit WHERE seq > ?').run(keep);
  const { hash } = db.prepare<[number], { hash: string }>('SELECT hash FROM audit WHERE seq = ?').get(keep)!;
  db.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(hash);
  db.close();
}

let created = 0;
/** Logs in (the attempt is audited) and creates a user (audited when the login worked). */
const login = (cluster: TestCluster, password: string) =>
  cluster.as('admin', 'admin', password, [
    'user',
    'create',
    '--username',
    `audited${++created}`,
    '--role',
    'crypto-user',
    '--password',
    'audited-pass-1',
  ]);

describe('keyed audit log', () => {
  let cluster: TestCluster;
  let hsmId: string;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 1 });
    hsmId = cluster.manifest.hsms[0]!.id;
    await login(cluster, 'wrong-password-1');
    await login(cluster, ADMIN_PASSWORD);
  });
  after(() => cluster.close());

  const copyOf = () => {
    const copy = tempDir('audit-keyed-');
    fs.cpSync(cluster.dir, copy, { recursive: true });
    return { copy, db: paths(copy).hsm(hsmId).db, dir: paths(copy).hsm(hsmId).dir };
  };

  it('every entry carries a MAC under the HSM audit key (0600 file in its data directory)', () => {
    const dir = paths(cluster.dir).hsm(hsmId).dir;
    assert.equal(fs.statSync(`${dir}/audit.key`).mode & 0o777, 0o600);
    const key = readAuditKey(dir)!;
    assert.equal(key.fromSeq, 1);
    const { entries } = readAuditLog(paths(cluster.dir).hsm(hsmId).db);
    assert.ok(entries.length >= 3);
    for (const e of entries) assert.match(e.mac ?? '', /^[0-9a-f]{64}$/);
  });

  it('a rewritten and recomputed chain is TAMPERED (it was "intact" with the unkeyed chain)', async () => {
    const { copy, db } = copyOf();
    try {
      assert.equal((await runLocalhsm(['audit', 'verify', '--state', copy])).code, 0);
      rechain(db, 2);
      const run = await runLocalhsm(['audit', 'verify', '--state', copy]);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stdout, /TAMPERED/);
      assert.match(run.stdout, /entry 2: not authenticated by the HSM's audit key/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a log without its audit key file is not reported intact', async () => {
    const { copy, dir } = copyOf();
    try {
      fs.rmSync(`${dir}/audit.key`);
      const run = await runLocalhsm(['audit', 'verify', '--state', copy]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /no audit key/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('audit checkpoint prints the head; verify --checkpoint catches a truncated log with a recomputed head', async () => {
    const checkpointDir = tempDir('audit-checkpoint-');
    const file = `${checkpointDir}/head.json`;
    try {
      const printed = await runLocalhsm(['audit', 'checkpoint', '--state', cluster.dir]);
      assert.equal(printed.code, 0);
      const head = JSON.parse(printed.stdout);
      const { entries } = readAuditLog(paths(cluster.dir).hsm(hsmId).db);
      assert.deepEqual(head.hsms, [{ hsmId, seq: entries.length, hash: entries.at(-1)!.hash }]);
      const written = await runLocalhsm(['audit', 'checkpoint', '--state', cluster.dir, '--out', file]);
      assert.equal(written.code, 0, written.stderr);
      // The log grows after the checkpoint: still intact against it.
      await login(cluster, ADMIN_PASSWORD);
      const ok = await runLocalhsm(['audit', 'verify', '--state', cluster.dir, '--checkpoint', file]);
      assert.equal(ok.code, 0, ok.stdout);
      const { copy, db } = copyOf();
      try {
        truncate(db, 2);
        // Without the checkpoint a cut tail with a recomputed head cannot be told from a shorter log.
        assert.equal((await runLocalhsm(['audit', 'verify', '--state', copy])).code, 0);
        const run = await runLocalhsm(['audit', 'verify', '--state', copy, '--checkpoint', file]);
        assert.equal(run.code, 1);
        assert.match(run.stdout, new RegExp(`entry ${head.hsms[0].seq}: the checkpoint's entry .* is gone`));
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    } finally {
      fs.rmSync(checkpointDir, { recursive: true, force: true });
    }
  });

  it('an HSM made before keyed logs gets its key at start; its older entries are then committed to', async () => {
    await cluster.stopNode(0);
    const dir = paths(cluster.dir).hsm(hsmId).dir;
    const dbFile = paths(cluster.dir).hsm(hsmId).db;
    // What an HSM of an earlier LocalHSM looks like: no audit key, no MACs.
    fs.rmSync(`${dir}/audit.key`);
    const db = new Database(dbFile);
    db.prepare("UPDATE audit SET mac = ''").run();
    db.close();
    const before: AuditEntry[] = readAuditLog(dbFile).entries;
    await cluster.startNode(0);
    const key = readAuditKey(dir)!;
    assert.equal(key.fromSeq, before.length + 1);
    const after = readAuditLog(dbFile).entries;
    assert.equal(after[before.length]!.operation, 'audit-key-create');
    assert.equal((await runLocalhsm(['audit', 'verify', '--state', cluster.dir])).code, 0);
    // Rewriting the unkeyed entries now breaks the link to (or the MAC of) the first keyed entry.
    const { copy, db: copyDb } = copyOf();
    try {
      rechain(copyDb, 2);
      const run = await runLocalhsm(['audit', 'verify', '--state', copy]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, new RegExp(`entry ${key.fromSeq}: not authenticated`));
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a cloned HSM gets its own audit key; the inherited entries stay checkable', async () => {
    const target = tempDir('audit-clone-');
    try {
      const source = paths(cluster.dir).hsm(hsmId);
      await cloneFrom(source.db, hsmId)(`${target}/hsm.db`, {
        hsmId: 'hsm-aaaaaaaaaaa',
        clusterId: cluster.manifest.clusterId,
        serialNumber: '1',
        kdf: 'fast',
      });
      const sourceKey = readAuditKey(source.dir)!;
      const cloneKey = readAuditKey(target)!;
      assert.notDeepEqual(cloneKey.key, sourceKey.key);
      const { entries, head } = readAuditLog(`${target}/hsm.db`);
      assert.equal(cloneKey.fromSeq, entries.length);
      assert.equal(entries.at(-1)!.operation, 'hsm-clone');
      assert.deepEqual(verifyAuditLog(entries, head, { auditKey: cloneKey }), []);
      // The source's key does not authenticate the clone's own entries.
      assert.notDeepEqual(verifyAuditLog(entries, head, { auditKey: { ...sourceKey, fromSeq: 1 } }), []);
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  });
});
