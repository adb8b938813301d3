// Unauthenticated traffic cannot grow the audit log or node.log without bound.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { rotatingLog } from '../../src/hsm/node-log.js';
import { NoiseLog } from '../../src/hsm/transport/noise-log.js';
import { tempDir } from '../helpers/cluster.js';
import { NODE_ADMIN_PASSWORD, makeNode, refusal, success } from '../helpers/node.js';

/** An activated node with one crypto user, alice. */
async function nodeWithAlice() {
  const test = await makeNode({ activated: true });
  const admin = await test.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
  success(
    await test.send(admin, 'user-create', {
      username: 'alice',
      role: 'crypto-user',
      password: 'alice-pass-1',
    }),
  );
  return test;
}

describe('pre-login noise in the audit log', () => {
  it('audits a flood of failed logins of unknown users as one row plus one count per interval', async () => {
    const test = await nodeWithAlice();
    const start = test.store.listAudit().length;
    for (let i = 0; i < 200; i++) {
      const session = test.node.openSession();
      const guess = { username: `nobody_${i}`, role: 'crypto-user', password: 'wrong-pass-1' };
      assert.equal(refusal(await test.send(session, 'login', guess)).code, 'ERR_LOGIN_FAILED');
      assert.equal(refusal(await test.send(session, 'logout', {})).code, 'ERR_NOT_LOGGED_IN');
      test.node.closeSession(session);
    }
    const flood = test.store.listAudit().slice(start);
    assert.deepEqual(
      flood.map((e) => [e.actor, e.operation, e.target, e.result]),
      [
        ['-', 'login', 'nobody_0', 'ERR_LOGIN_FAILED'],
        ['-', 'logout', '', 'ERR_NOT_LOGGED_IN'],
      ],
    );
    test.node.flushAuditNoise();
    assert.deepEqual(
      test.store
        .listAudit()
        .slice(start + 2)
        .map((e) => [e.actor, e.operation, e.target, e.result]),
      [
        ['-', 'login', '*', 'ERR_LOGIN_FAILED x199'],
        ['-', 'logout', '*', 'ERR_NOT_LOGGED_IN x199'],
      ],
    );
  });

  it('still audits every failed login of a real user', async () => {
    const test = await nodeWithAlice();
    const start = test.store.listAudit().length;
    for (let i = 0; i < 4; i++) {
      const guess = { username: 'alice', role: 'crypto-user', password: `wrong-pass-${i}` };
      refusal(await test.send(test.node.openSession(), 'login', guess));
    }
    test.node.flushAuditNoise();
    const rows = test.store.listAudit().slice(start);
    assert.deepEqual(
      rows.map((e) => [e.operation, e.target, e.result]),
      Array(4).fill(['login', 'alice', 'ERR_LOGIN_FAILED']),
    );
  });
});

describe('node.log', () => {
  it('gets the first of a repeated event, then one count per interval until the event stops', () => {
    const lines: string[] = [];
    const noise = new NoiseLog((l) => lines.push(l), 60_000);
    for (let i = 0; i < 500; i++)
      noise.note('failed TLS handshakes', `refused a connection: bad record ${i}`);
    noise.flush();
    noise.note('failed TLS handshakes', 'refused a connection: again');
    noise.flush();
    noise.flush();
    noise.note('failed TLS handshakes', 'refused a connection: after a quiet interval');
    noise.stop();
    assert.deepEqual(lines, [
      'refused a connection: bad record 0',
      'failed TLS handshakes: 499 more in the last 60 s',
      'failed TLS handshakes: 1 more in the last 60 s',
      'refused a connection: after a quiet interval',
    ]);
  });

  it('is rotated by size, keeping three old files', () => {
    const dir = tempDir('localhsm-log-');
    const file = path.join(dir, 'node.log');
    const log = rotatingLog(file, { maxBytes: 100, kept: 3 });
    for (let i = 0; i < 50; i++) log(`line ${String(i).padStart(2, '0')} of the log ...`);
    const names = fs.readdirSync(dir).sort();
    assert.deepEqual(names, ['node.log', 'node.log.1', 'node.log.2', 'node.log.3']);
    for (const name of names) {
      assert.ok(fs.statSync(path.join(dir, name)).size <= 100, name);
      assert.equal(fs.statSync(path.join(dir, name)).mode & 0o777, 0o600, name);
    }
    assert.match(fs.readFileSync(file, 'utf8'), /line 49 of the log \.\.\.\n$/);
    const all = ['node.log.3', 'node.log.2', 'node.log.1', 'node.log'].map((n) =>
      fs.readFileSync(path.join(dir, n), 'utf8'),
    );
    const numbers = all
      .join('')
      .trim()
      .split('\n')
      .map((l) => Number(l.slice(5, 7)));
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => 50 - numbers.length + i),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
