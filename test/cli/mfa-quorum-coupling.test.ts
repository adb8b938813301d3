// Issue 14 item 4 through cloudhsm-cli: user change-password of an MFA user drops the quorum key; the output is the documented one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { rsaKeys } from '../helpers/quorum.js';
import { signRegistrationFile } from '../helpers/token-files.js';

describe('user change-password and the quorum key of an MFA user', () => {
  let cluster: TestCluster;
  const admin = (args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);
  const listed = async (username: string) => {
    const users = (await cluster.cli(['user', 'list'])).json!.data.users as {
      username: string;
      mfa: unknown;
      quorum: unknown;
    }[];
    const user = users.find((u) => u.username === username)!;
    return { mfa: user.mfa, quorum: user.quorum };
  };
  const ENABLED = [{ strategy: 'token-sign', status: 'enabled' }];

  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
    const [key] = rsaKeys(1);
    const keyFile = path.join(cluster.dir, 'mfa.key');
    fs.writeFileSync(keyFile, key!.privatePem, { mode: 0o600 });
    for (const username of ['mia', 'max', 'quin']) {
      const made = await admin([
        'user',
        'create',
        '--username',
        username,
        '--role',
        'crypto-user',
        '--password',
        'first-pass-1',
      ]);
      assert.equal(made.json?.error_code, 0, made.stdout);
    }
    // mia and max get MFA (which also registers the key for quorum, spec §4.5); quin a quorum key alone.
    for (const username of ['mia', 'max']) {
      const enabled = await admin([
        'user',
        'change-mfa',
        'token-sign',
        '--username',
        username,
        '--role',
        'crypto-user',
        '--token',
        path.join(cluster.dir, `${username}.json`),
        '--change-password',
        'second-pass-1',
        '--sign-with',
        keyFile,
      ]);
      assert.equal(enabled.json?.error_code, 0, enabled.stdout + enabled.stderr);
      assert.deepEqual(await listed(username), { mfa: ENABLED, quorum: ENABLED });
    }
    // quin registers a quorum key without MFA, in separate commands (single-command mode).
    const quin = (args: string[]) => cluster.as('crypto-user', 'quin', 'first-pass-1', args);
    const reg = path.join(cluster.dir, 'quin-reg.json');
    const pub = path.join(cluster.dir, 'quin.pub');
    fs.writeFileSync(pub, key!.publicPem);
    assert.equal(
      (await quin(['quorum', 'token-sign', 'generate', '--service', 'registration', '--token', reg])).json
        ?.error_code,
      0,
    );
    signRegistrationFile(reg, key!.privateKey);
    const registered = await quin([
      'user',
      'change-quorum',
      'token-sign',
      'register',
      '--public-key',
      pub,
      '--signed-token',
      reg,
    ]);
    assert.equal(registered.json?.error_code, 0, registered.stdout);
    assert.deepEqual(await listed('quin'), { mfa: [], quorum: ENABLED });
  });
  after(() => cluster.close());

  it('changing the password of an MFA user removes the quorum registration and keeps MFA', async () => {
    const run = await admin([
      'user',
      'change-password',
      '--username',
      'mia',
      '--role',
      'crypto-user',
      '--password',
      'third-pass-1',
    ]);
    assert.deepEqual(
      [run.exitCode, run.json, run.stderr],
      [0, { error_code: 0, data: { username: 'mia', role: 'crypto-user' } }, ''],
    );
    assert.deepEqual(await listed('mia'), { mfa: ENABLED, quorum: [] });
  });

  it('--deregister-mfa removes MFA and the quorum registration', async () => {
    const run = await admin([
      'user',
      'change-password',
      '--username',
      'max',
      '--role',
      'crypto-user',
      '--password',
      'third-pass-1',
      '--deregister-mfa',
    ]);
    assert.deepEqual(run.json, { error_code: 0, data: { username: 'max', role: 'crypto-user' } });
    assert.deepEqual(await listed('max'), { mfa: [], quorum: [] });
  });

  it('a user without MFA keeps the quorum registration, also with --deregister-mfa', async () => {
    for (const extra of [[], ['--deregister-mfa']]) {
      const run = await admin([
        'user',
        'change-password',
        '--username',
        'quin',
        '--role',
        'crypto-user',
        '--password',
        'third-pass-1',
        ...extra,
      ]);
      assert.deepEqual(run.json, { error_code: 0, data: { username: 'quin', role: 'crypto-user' } });
      assert.deepEqual(await listed('quin'), { mfa: [], quorum: ENABLED });
    }
  });
});
