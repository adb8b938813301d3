// Issue 13 over the raw wire (real TLS, a client as simple as the red team's lh.mjs): 40 simultaneous
// wrong logins on one node evaluate 5 passwords; cluster-activate and user-create are no password oracles.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { testKeyPair } from '../helpers/keys.js';
import { RawClient } from '../helpers/raw-client.js';

const FRANK_PW = 'frank-pass-1';

describe('password checks over the raw wire protocol', () => {
  let cluster: TestCluster;
  let ca: string;
  let port: number;
  let nextId = 1;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 1 });
    ca = fs.readFileSync(paths(cluster.dir).ca, 'utf8');
    port = cluster.nodes[0]!.server.port;
    const admin = await connect();
    await call(admin, 'login', { username: 'admin', role: 'admin', password: ADMIN_PASSWORD });
    for (const username of ['frank', 'grace'])
      await call(admin, 'user-create', { username, role: 'crypto-user', password: FRANK_PW });
    admin.close();
    const grace = store().getUser('grace')!;
    store().updateUser({ ...grace, mfaPublicKey: testKeyPair('mfa-key-1').publicPem });
  });
  after(() => cluster.close());

  const connect = () => RawClient.tls(port, ca);
  async function call(c: RawClient, op: string, args: unknown): Promise<any> {
    c.send({ v: 1, id: nextId++, op, args });
    return c.next();
  }
  const code = (reply: any) => (reply.ok ? `OK ${JSON.stringify(reply.result)}` : reply.error.code);
  const store = () => cluster.nodes[0]!.node.store;
  const audited = (op: string, username: string) => {
    const tally: Record<string, number> = {};
    for (const e of store().listAudit())
      if (e.operation === op && e.target === username) tally[e.result] = (tally[e.result] ?? 0) + 1;
    return tally;
  };

  for (const [op, username] of [
    ['login', 'frank'],
    ['login-mfa-start', 'grace'],
  ] as const) {
    it(`40 connections, ${op} at once: 5 passwords evaluated, the rest and the right one (21st) refused as locked`, async () => {
      const N = 40;
      const clients = await Promise.all(Array.from({ length: N }, connect));
      // Every frame written before any reply is read, so the node sees one burst.
      const replies = await Promise.all(
        clients.map((c, i) =>
          call(c, op, { username, role: 'crypto-user', password: i === 20 ? FRANK_PW : `Wrong-pw-${i}` }),
        ),
      );
      clients.forEach((c) => c.close());
      const tally: Record<string, number> = {};
      for (const r of replies) tally[code(r)] = (tally[code(r)] ?? 0) + 1;
      assert.deepEqual(tally, { ERR_LOGIN_FAILED: 5, ERR_USER_LOCKED: 35 });
      assert.equal(code(replies[20]), 'ERR_USER_LOCKED');
      const user = store().getUser(username)!;
      assert.deepEqual([user.locked, user.failedLogins], [true, 5]);
      // The audit log agrees: 5 evaluated failures, 35 refusals as locked.
      assert.deepEqual(audited(op, username), { ERR_LOGIN_FAILED: 5, ERR_USER_LOCKED: 35 });
    });
  }

  it('cluster-activate answers the right and a wrong admin password alike, with no count', async () => {
    const c = await connect();
    const answers = [];
    for (const password of ['Guess-pw-1', ADMIN_PASSWORD, 'Guess-pw-2'])
      answers.push(await call(c, 'cluster-activate', { password }));
    c.close();
    assert.deepEqual(
      answers.map((a) => [a.ok, a.error?.code, a.error?.message]),
      Array(3).fill([false, 'ERR_CLUSTER_ALREADY_ACTIVE', 'Cluster has already been activated']),
    );
    assert.equal(store().getUser('admin')!.failedLogins, 0);
  });

  it('user-create of an existing user answers the right and a wrong password alike', async () => {
    const c = await connect();
    await call(c, 'login', { username: 'admin', role: 'admin', password: ADMIN_PASSWORD });
    const answers = [];
    for (const password of ['Guess-pw-1', FRANK_PW])
      answers.push(await call(c, 'user-create', { username: 'frank', role: 'crypto-user', password }));
    c.close();
    assert.deepEqual(
      answers.map((a) => [a.ok, a.error?.code, a.error?.message]),
      Array(2).fill([false, 'ERR_USER_EXISTS', 'User already exists']),
    );
  });
});
