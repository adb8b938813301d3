// The audit log: one chained entry per state change and login attempt, no secrets, and tampering detected.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { verifyAuditLog } from '../../src/hsm/audit.js';
import { readAuditLog } from '../../src/hsm/store/sqlite.js';
import { runLocalhsm } from '../helpers/localhsm.js';
import { ADMIN_PASSWORD, startActivatedCluster, tempDir, type TestCluster } from '../helpers/cluster.js';

const localhsm = async (args: string[]) => {
  const run = await runLocalhsm(args);
  return { code: run.code, out: run.stdout };
};

describe('audit log', () => {
  let cluster: TestCluster;
  let db: string;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 1 });
    db = paths(cluster.dir).hsm(cluster.manifest.hsms[0]!.id).db;
    await cluster.as('admin', 'admin', 'wrong-password', [
      'user',
      'change-password',
      '--username',
      'admin',
      '--role',
      'admin',
      '--password',
      'x-password-1',
    ]);
    await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'carol',
      '--role',
      'crypto-user',
      '--password',
      'carol-secret-1',
    ]);
    await cluster.as('admin', 'admin', 'wrong-password-2', [
      'user',
      'create',
      '--username',
      'dave',
      '--role',
      'crypto-user',
      '--password',
      'dave-secret-1',
    ]);
    await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'delete',
      '--username',
      'carol',
      '--role',
      'crypto-user',
    ]);
  });
  after(() => cluster.close());

  it('records activation, each login attempt and each change, with results, in order', () => {
    const { entries, head } = readAuditLog(db);
    const summary = entries.map((e) => `${e.actor} ${e.operation} ${e.target} ${e.result}`);
    assert.deepEqual(summary, [
      '- cluster-activate  ok',
      '- login admin ERR_LOGIN_FAILED',
      '- login admin ok',
      'admin user-create carol ok',
      '- login admin ERR_LOGIN_FAILED',
      '- login admin ok',
      'admin user-delete carol ok',
    ]);
    assert.deepEqual(verifyAuditLog(entries, head), []);
  });

  it('never stores a password', () => {
    const bytes = fs.readFileSync(db).toString('latin1') + fs.readFileSync(`${db}-wal`).toString('latin1');
    for (const secret of [ADMIN_PASSWORD, 'carol-secret-1', 'wrong-password-2'])
      assert.ok(!bytes.includes(secret), secret);
  });

  const tamperings: [string, (d: Database.Database) => void, RegExp][] = [
    [
      'a modified entry',
      (d) => d.prepare("UPDATE audit SET result = 'ok' WHERE seq = 2").run(),
      /entry 2: content does not match its hash/,
    ],
    ['a deleted entry', (d) => d.prepare('DELETE FROM audit WHERE seq = 2').run(), /expected sequence 2/],
    [
      'an inserted entry',
      (d) => {
        d.prepare('UPDATE audit SET seq = seq + 1000 WHERE seq >= 3').run();
        d.prepare('UPDATE audit SET seq = seq - 999 WHERE seq >= 1000').run();
        const { hash } = d.prepare<[], { hash: string }>('SELECT hash FROM audit WHERE seq = 2').get()!;
        d.prepare(
          "INSERT INTO audit (seq, time, actor, operation, target, result, prev_hash, hash) VALUES (3, '2026-01-01T00:00:00.000Z', 'mallory', 'user-create', 'x', 'ok', ?, ?)",
        ).run(hash, 'f'.repeat(64));
      },
      /does not link to the previous entry/,
    ],
    [
      'reordered entries',
      (d) => {
        d.prepare('UPDATE audit SET seq = -1 WHERE seq = 2').run();
        d.prepare('UPDATE audit SET seq = 2 WHERE seq = 3').run();
        d.prepare('UPDATE audit SET seq = 3 WHERE seq = -1').run();
      },
      /does not link/,
    ],
    [
      'removed last entries',
      (d) => d.prepare('DELETE FROM audit WHERE seq >= 5').run(),
      /not the recorded head/,
    ],
  ];

  for (const [name, tamper, expected] of tamperings) {
    it(`localhsm audit verify detects ${name}`, async () => {
      const copy = tempDir('audit-copy-');
      fs.cpSync(cluster.dir, copy, { recursive: true });
      try {
        const intact = await localhsm(['audit', 'verify', '--state', copy]);
        assert.equal(intact.code, 0, intact.out);
        const d = new Database(paths(copy).hsm(cluster.manifest.hsms[0]!.id).db);
        tamper(d);
        d.close();
        const result = await localhsm(['audit', 'verify', '--state', copy]);
        assert.equal(result.code, 1);
        assert.match(result.out, /TAMPERED/);
        assert.match(result.out, expected);
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    });
  }
});
