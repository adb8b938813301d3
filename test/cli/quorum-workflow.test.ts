// The quorum admin workflow end to end on a 3-HSM cluster over TLS: register keys, set M, approve, use, reuse, expire.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { rsaKeys, type TestKey } from '../helpers/quorum.js';
import { type InteractiveShell, openShell } from '../helpers/shell.js';
import { addApproval, signRegistrationFile } from '../helpers/token-files.js';

const PASS = 'admin-pass-2';
const ADMINS = ['admin', 'admin2', 'admin3'] as const;

describe('quorum admin workflow (3 HSMs)', () => {
  let cluster: TestCluster;
  let keys: Record<string, TestKey & { pubFile: string }>;
  let shell: InteractiveShell;
  const file = (name: string) => path.join(cluster.dir, name);

  before(async () => {
    cluster = await startActivatedCluster();
    const pairs = rsaKeys(3);
    keys = Object.fromEntries(
      ADMINS.map((name, i) => {
        const pubFile = path.join(cluster.dir, `${name}.pub`);
        fs.writeFileSync(pubFile, pairs[i]!.publicPem);
        return [name, { ...pairs[i]!, pubFile }];
      }),
    );
    for (const name of ['admin2', 'admin3']) {
      const run = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
        'user',
        'create',
        '--username',
        name,
        '--role',
        'admin',
        '--password',
        PASS,
      ]);
      assert.equal(run.json?.error_code, 0, run.stdout);
    }
  });
  after(async () => {
    await shell?.close();
    await cluster.close();
  });

  it('registers a quorum key for each of three admins (generate, sign, register in one session)', async () => {
    for (const name of ADMINS) {
      const s = openShell(cluster.dir);
      const password = name === 'admin' ? ADMIN_PASSWORD : PASS;
      assert.equal(
        (await s.run(`login --username ${name} --role admin --password ${password}`)).error_code,
        0,
      );
      const tokenFile = file(`${name}-registration.json`);
      const generated = await s.run(`quorum token-sign generate --service registration --token ${tokenFile}`);
      assert.deepEqual(generated, { error_code: 0, data: { filepath: tokenFile } });
      assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
      const unsigned = JSON.parse(fs.readFileSync(tokenFile, 'utf8'));
      assert.equal(unsigned.version, '2.0');
      // One entry for the whole cluster (as in the guide), its approval_data one record per HSM.
      assert.equal(unsigned.tokens.length, 1);
      const [t] = unsigned.tokens;
      assert.deepEqual(Object.keys(t), ['approval_data', 'unsigned', 'signed']);
      assert.equal(t.signed, '');
      assert.equal(Buffer.from(t.approval_data, 'base64').length, 240);
      signRegistrationFile(tokenFile, keys[name]!.privateKey);
      const registered = await s.run(
        `user change-quorum token-sign register --public-key ${keys[name]!.pubFile} --signed-token ${tokenFile}`,
      );
      assert.deepEqual(registered, { error_code: 0, data: { username: name, role: 'admin' } });
      await s.close();
    }
    const list = await cluster.cli(['user', 'list']);
    const quorum = Object.fromEntries(
      list.json!.data.users.map((u: { username: string; quorum: unknown }) => [u.username, u.quorum]),
    );
    for (const name of ADMINS)
      assert.deepEqual(quorum[name], [{ strategy: 'token-sign', status: 'enabled' }]);
    assert.deepEqual(quorum.app_user, []);
  });

  it('sets the user quorum value to 2 (no approval needed while quorum is 1)', async () => {
    const set = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'quorum',
      'token-sign',
      'set-quorum-value',
      '--service',
      'user',
      '--value',
      '2',
    ]);
    assert.deepEqual(set.json, { error_code: 0, data: 'Set Quorum Value successful' });
    const values = await cluster.cli(['quorum', 'token-sign', 'list-quorum-values']);
    assert.deepEqual(values.json, { error_code: 0, data: { user: 2, quorum: 1, cluster: 1 } });
  });

  it('requires two distinct approvals for user create, and consumes them', async () => {
    shell = openShell(cluster.dir);
    assert.equal(
      (await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`)).error_code,
      0,
    );
    const create = (name: string, approval?: string) =>
      shell.run(
        `user create --username ${name} --role crypto-user --password user-pass-1${approval ? ` --approval ${approval}` : ''}`,
      );

    assert.deepEqual(await create('alice'), {
      error_code: 1,
      data: 'Quorum approval is required for this operation',
    });

    const token = file('user-token.json');
    assert.deepEqual(await shell.run(`quorum token-sign generate --service user --token ${token}`), {
      error_code: 0,
      data: { filepath: token },
    });
    const json = JSON.parse(fs.readFileSync(token, 'utf8'));
    assert.deepEqual(Object.keys(json), ['version', 'approval_data', 'token', 'signatures']);
    assert.equal(Buffer.from(json.approval_data, 'base64').length, 240);
    assert.deepEqual(json.signatures, []);

    assert.deepEqual(await shell.run('quorum token-sign list'), {
      error_code: 0,
      data: {
        tokens: [
          {
            username: 'admin',
            service: 'user',
            'approvals-required': 2,
            'number-of-approvals': 0,
            'token-timeout-seconds': 600,
            'cluster-coverage': 'full',
          },
        ],
      },
    });
    cluster.clock.advance(200);
    assert.equal((await shell.run('quorum token-sign list')).data.tokens[0]['token-timeout-seconds'], 400);

    addApproval(token, 'admin2', keys.admin2!.privateKey);
    assert.deepEqual(await create('alice', token), {
      error_code: 1,
      data: 'Too few quorum approvals: currently 1 approvals, but 2 approvals required',
    });
    addApproval(token, 'admin3', keys.admin3!.privateKey);
    assert.deepEqual(await create('alice', token), {
      error_code: 0,
      data: { username: 'alice', role: 'crypto-user' },
    });
    assert.deepEqual((await shell.run('quorum token-sign list')).data, { tokens: [] });

    assert.deepEqual(await create('bob', token), {
      error_code: 1,
      data: 'Invalid username-signature pair for quorum authorization',
    });
    const users = (await cluster.cli(['user', 'list'])).json!.data.users.map(
      (u: { username: string }) => u.username,
    );
    assert.ok(users.includes('alice'));
    assert.ok(!users.includes('bob'));
  });

  it('refuses a token approved but used after the approved timeout, or never approved within the generated one', async () => {
    assert.deepEqual(await shell.run('quorum token-sign set-timeout --approved 60'), {
      error_code: 0,
      data: 'Set token timeout successful',
    });
    assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-timeouts'])).json!.data, {
      generated: 600,
      approved: 60,
    });
    const token = file('user-token-2.json');
    await shell.run(`quorum token-sign generate --service user --token ${token}`);
    addApproval(token, 'admin2', keys.admin2!.privateKey);
    addApproval(token, 'admin3', keys.admin3!.privateKey);
    // The approvals are accepted but the operation itself is refused: the token is now approved, not used.
    const refused = await shell.run(
      `user create --username admin2 --role admin --password another-pass --approval ${token}`,
    );
    assert.deepEqual(refused, { error_code: 1, data: 'User already exists' });
    const listed = (await shell.run('quorum token-sign list')).data.tokens[0];
    assert.equal(listed['number-of-approvals'], 2);
    assert.equal(listed['token-timeout-seconds'], 60);
    cluster.clock.advance(61);
    assert.deepEqual(
      await shell.run(
        `user create --username carol --role crypto-user --password user-pass-1 --approval ${token}`,
      ),
      {
        error_code: 1,
        data: 'The quorum token has expired (approved timeout of 60 seconds); generate a new one with quorum token-sign generate',
      },
    );

    const late = file('user-token-3.json');
    await shell.run(`quorum token-sign generate --service user --token ${late}`);
    addApproval(late, 'admin2', keys.admin2!.privateKey);
    addApproval(late, 'admin3', keys.admin3!.privateKey);
    cluster.clock.advance(601);
    assert.deepEqual(
      await shell.run(
        `user create --username carol --role crypto-user --password user-pass-1 --approval ${late}`,
      ),
      {
        error_code: 1,
        data: 'The quorum token has expired (generated timeout of 600 seconds); generate a new one with quorum token-sign generate',
      },
    );
  });

  it("loses the session's tokens at logout", async () => {
    const token = file('user-token-4.json');
    await shell.run(`quorum token-sign generate --service user --token ${token}`);
    addApproval(token, 'admin2', keys.admin2!.privateKey);
    addApproval(token, 'admin3', keys.admin3!.privateKey);
    assert.deepEqual(await shell.run('logout'), { error_code: 0, data: 'Logout successful' });
    await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
    assert.deepEqual((await shell.run('quorum token-sign list')).data, { tokens: [] });
    const e = await shell.run(
      `user create --username carol --role crypto-user --password user-pass-1 --approval ${token}`,
    );
    assert.deepEqual(e, { error_code: 1, data: 'Invalid username-signature pair for quorum authorization' });
  });
});
