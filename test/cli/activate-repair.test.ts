// Issue 13 item 1: repairing a partial activation proves the password by an ordinary (counted) admin login on the
// HSMs already activated, since an activated HSM compares no password in cluster-activate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startTestCluster, type TestCluster } from '../helpers/cluster.js';

describe('cluster activate after a partial activation', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ hsms: 3 });
  });
  after(() => cluster.close());

  const admins = () => cluster.nodes.map((n) => n!.node.store.getUser('admin')!);
  const activate = (password: string) => cluster.cli(['cluster', 'activate', '--password', password]);

  it('a first run with one HSM down activates the other two', async () => {
    await cluster.stopNode(2);
    const run = await activate(ADMIN_PASSWORD);
    assert.deepEqual(run.json, { error_code: 1, data: 'Cluster activation failed on 1 of 3 connections' });
    await cluster.startNode(2);
    assert.deepEqual(
      admins().map((a) => a.role),
      ['admin', 'admin', 'unactivated-admin'],
    );
  });

  it('a re-run with another password is refused by the login on the activated HSMs, counted, and activates nothing', async () => {
    const run = await activate('another-pass-1');
    assert.deepEqual(run.json, { error_code: 1, data: 'Incorrect authentication credentials' });
    assert.deepEqual(
      admins().map((a) => [a.role, a.failedLogins]),
      [
        ['admin', 1],
        ['admin', 1],
        ['unactivated-admin', 0],
      ],
    );
  });

  it('a re-run with the password set before activates the rest', async () => {
    const run = await activate(ADMIN_PASSWORD);
    assert.deepEqual(run.json, { error_code: 0, data: 'Cluster activation successful' });
    assert.deepEqual(
      admins().map((a) => [a.role, a.failedLogins]),
      Array(3).fill(['admin', 0]),
    );
  });

  it('once every HSM is activated, any password gets "already activated"', async () => {
    for (const password of [ADMIN_PASSWORD, 'another-pass-1'])
      assert.deepEqual((await activate(password)).json, {
        error_code: 1,
        data: 'Cluster has already been activated',
      });
  });
});
