// Issue 13 item 2: a re-run of a partly failed user create repairs by role (asked with user list), never by
// comparing the password; HSMs that hold the user with another role still fail the command.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashPassword, KDF_PROFILES } from '../../src/hsm/password.js';
import { newUser } from '../../src/hsm/provision.js';
import type { Role } from '../../src/protocol/types.js';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';

describe('user create over HSMs that already hold the user', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 3 });
  });
  after(() => cluster.close());

  /** Puts a user straight into one HSM's store, as a run that failed on the other HSMs would have. */
  async function plant(hsm: number, username: string, role: Role, password: string) {
    const passwordHash = await hashPassword(password, KDF_PROFILES.fast);
    cluster.nodes[hsm]!.node.store.insertUser({ ...newUser(username, role), passwordHash });
  }
  const create = (username: string, role: string, password: string) =>
    cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      username,
      '--role',
      role,
      '--password',
      password,
    ]);
  const holders = (username: string) =>
    cluster.nodes.map((n) => n!.node.store.getUser(username)?.role ?? '-');

  it('completes where the user is missing when the others hold it with the same role, whatever its password there', async () => {
    await plant(0, 'henry', 'crypto-user', 'henry-old-pw-1');
    const run = await create('henry', 'crypto-user', 'henry-pass-1');
    assert.deepEqual(
      { exit: run.exitCode, json: run.json, stderr: run.stderr },
      { exit: 0, json: { error_code: 0, data: { username: 'henry', role: 'crypto-user' } }, stderr: '' },
    );
    assert.deepEqual(holders('henry'), ['crypto-user', 'crypto-user', 'crypto-user']);
  });

  it('fails on the HSMs that hold the user with another role', async () => {
    await plant(1, 'ivy', 'admin', 'ivy-pass-1');
    const run = await create('ivy', 'crypto-user', 'ivy-pass-1');
    assert.deepEqual(run.json, { error_code: 1, data: 'User create failed on 1 of 3 connections' });
    assert.match(run.stderr, /refused: User already exists/);
    assert.deepEqual(holders('ivy'), ['crypto-user', 'admin', 'crypto-user']);
  });

  it('every HSM holding the user: "already exists", for the right and a wrong password alike', async () => {
    for (const password of ['henry-pass-1', 'wrong-pass-1'])
      assert.deepEqual((await create('henry', 'crypto-user', password)).json, {
        error_code: 1,
        data: 'User already exists',
      });
  });
});
