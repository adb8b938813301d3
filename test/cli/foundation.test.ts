// cluster activate, hsm-info and user list on an in-process 3-HSM cluster over real TLS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startTestCluster, type TestCluster } from '../helpers/cluster.js';

describe('a new cluster', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(() => cluster.close());

  it('lists the unactivated admin and app_user with full coverage, without login', async () => {
    const run = await cluster.cli(['user', 'list']);
    assert.equal(run.exitCode, 0);
    assert.deepEqual(run.json, {
      error_code: 0,
      data: {
        users: [
          {
            username: 'admin',
            role: 'unactivated-admin',
            locked: 'false',
            mfa: [],
            quorum: [],
            'cluster-coverage': 'full',
          },
          {
            username: 'app_user',
            role: 'internal(APPLIANCE_USER)',
            locked: 'false',
            mfa: [],
            quorum: [],
            'cluster-coverage': 'full',
          },
        ],
      },
    });
    assert.equal(run.stderr, '');
  });

  it('reports one hsm-info entry per HSM', async () => {
    const run = await cluster.cli(['cluster', 'hsm-info']);
    assert.equal(run.json?.error_code, 0);
    const hsms = run.json!.data.hsms as { vendor: string; 'hsm-id': string }[];
    assert.equal(hsms.length, 3);
    assert.ok(hsms.every((h) => h.vendor === 'LocalHSM'));
    assert.deepEqual(hsms.map((h) => h['hsm-id']).sort(), cluster.manifest.hsms.map((h) => h.id).sort());
  });

  it('activates with prompted, confirmed password and then refuses a second activation', async () => {
    const mismatch = await cluster.cli(['cluster', 'activate'], { input: 'password-1\npassword-2\n' });
    assert.deepEqual(mismatch.json, { error_code: 1, data: 'Passwords do not match' });
    assert.match(mismatch.stderr, /Enter password:\nConfirm password:/);

    const run = await cluster.cli(['cluster', 'activate'], {
      input: `${ADMIN_PASSWORD}\n${ADMIN_PASSWORD}\n`,
    });
    assert.deepEqual(run.json, { error_code: 0, data: 'Cluster activation successful' });
    const list = await cluster.cli(['user', 'list']);
    assert.equal(list.json!.data.users[0].role, 'admin');

    const again = await cluster.cli(['cluster', 'activate', '--password', 'another-pass']);
    assert.deepEqual(again.json, { error_code: 1, data: 'Cluster has already been activated' });
    assert.equal(again.exitCode, 1);
  });

  it('logs the admin in with the activation password only', async () => {
    const ok = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'u1',
      '--role',
      'crypto-user',
      '--password',
      'u1-password',
    ]);
    assert.deepEqual(ok.json, { error_code: 0, data: { username: 'u1', role: 'crypto-user' } });
    const bad = await cluster.as('admin', 'admin', 'wrong-password', [
      'user',
      'create',
      '--username',
      'u2',
      '--role',
      'crypto-user',
      '--password',
      'u2-password',
    ]);
    assert.deepEqual(bad.json, { error_code: 1, data: 'Incorrect authentication credentials' });
  });
});
