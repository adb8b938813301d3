// Quorum meets MFA: changing or removing another user's MFA is a `user` service operation needing M approvals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { rsaKeys, type TestKey } from '../helpers/quorum.js';
import { registerQuorumKey } from '../helpers/quorum-cli.js';
import { openShell } from '../helpers/shell.js';
import { addApproval } from '../helpers/token-files.js';

const PASS = 'admin2-pass-1';

describe('quorum approval of MFA changes for another user', () => {
  let cluster: TestCluster;
  let keys: TestKey[];
  const file = (name: string) => path.join(cluster.dir, name);
  const carol = async () => {
    const list = await cluster.cli(['user', 'list']);
    return list.json!.data.users.find((u: { username: string }) => u.username === 'carol');
  };

  before(async () => {
    cluster = await startActivatedCluster();
    keys = rsaKeys(3);
    const admin = (args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);
    assert.equal(
      (await admin(['user', 'create', '--username', 'admin2', '--role', 'admin', '--password', PASS])).json
        ?.error_code,
      0,
    );
    assert.equal(
      (
        await admin([
          'user',
          'create',
          '--username',
          'carol',
          '--role',
          'crypto-user',
          '--password',
          'carol-pass-1',
        ])
      ).json?.error_code,
      0,
    );
    await registerQuorumKey(cluster, 'admin', ADMIN_PASSWORD, keys[0]!);
    await registerQuorumKey(cluster, 'admin2', PASS, keys[1]!);
    fs.writeFileSync(file('carol.key'), keys[2]!.privatePem, { mode: 0o600 });
    // Carol enables MFA for herself: no approval needed even once the user value is 2.
    const set = await admin([
      'quorum',
      'token-sign',
      'set-quorum-value',
      '--service',
      'user',
      '--value',
      '2',
    ]);
    assert.deepEqual(set.json, { error_code: 0, data: 'Set Quorum Value successful' });
    const own = await cluster.as('crypto-user', 'carol', 'carol-pass-1', [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      'carol',
      '--role',
      'crypto-user',
      '--token',
      file('carol-tokens.json'),
      '--change-password',
      'carol-pass-2',
      '--sign-with',
      file('carol.key'),
    ]);
    assert.deepEqual(
      own.json,
      { error_code: 0, data: { username: 'carol', role: 'crypto-user' } },
      own.stderr,
    );
  });
  after(() => cluster.close());

  it("refuses an admin deregistering another user's MFA without approval, then accepts two approvers once", async () => {
    const shell = openShell(cluster.dir);
    try {
      assert.equal(
        (await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`)).error_code,
        0,
      );
      const deregister =
        'user change-mfa token-sign --username carol --role crypto-user --deregister --change-password carol-pass-3';
      assert.deepEqual(await shell.run(deregister), {
        error_code: 1,
        data: 'Quorum approval is required for this operation',
      });
      assert.deepEqual((await carol()).mfa, [{ strategy: 'token-sign', status: 'enabled' }]);

      const approval = file('approval.json');
      assert.equal(
        (await shell.run(`quorum token-sign generate --service user --token ${approval}`)).error_code,
        0,
      );
      addApproval(approval, 'admin', keys[0]!.privateKey);
      const tooFew = await shell.run(`${deregister} --approval ${approval}`);
      assert.equal(tooFew.error_code, 1);
      assert.match(
        String(tooFew.data),
        /^Too few quorum approvals: currently 1 approvals, but 2 approvals required/,
      );
      addApproval(approval, 'admin2', keys[1]!.privateKey);
      assert.deepEqual(await shell.run(`${deregister} --approval ${approval}`), {
        error_code: 0,
        data: { username: 'carol', role: 'crypto-user' },
      });
      assert.deepEqual((await carol()).mfa, []);

      const again = await shell.run(`${deregister} --approval ${approval}`);
      assert.deepEqual(again, {
        error_code: 1,
        data: 'Invalid username-signature pair for quorum authorization',
      });
    } finally {
      await shell.close();
    }
  });

  it('registers a new MFA key for another user only with approvals, consumed when every HSM commits', async () => {
    const shell = openShell(cluster.dir);
    try {
      assert.equal(
        (await shell.run(`login --username admin2 --role admin --password ${PASS}`)).error_code,
        0,
      );
      const enable = `user change-mfa token-sign --username carol --role crypto-user --token ${file('t2.json')} --change-password carol-pass-4 --sign-with ${file('carol.key')}`;
      assert.deepEqual(await shell.run(enable), {
        error_code: 1,
        data: 'Quorum approval is required for this operation',
      });
      const approval = file('approval-2.json');
      assert.equal(
        (await shell.run(`quorum token-sign generate --service user --token ${approval}`)).error_code,
        0,
      );
      addApproval(approval, 'admin', keys[0]!.privateKey);
      addApproval(approval, 'admin2', keys[1]!.privateKey);
      assert.deepEqual(await shell.run(`${enable} --approval ${approval}`), {
        error_code: 0,
        data: { username: 'carol', role: 'crypto-user' },
      });
      assert.deepEqual((await carol()).mfa, [{ strategy: 'token-sign', status: 'enabled' }]);
      const list = await shell.run('quorum token-sign list');
      assert.deepEqual(list, { error_code: 0, data: { tokens: [] } });
    } finally {
      await shell.close();
    }
  });
});
