// The guards LocalHSM adds: a quorum value above the approvers or removing a needed approver is warned about (as
// CloudHSM does it) or, with the opt-in quorum guard policy, refused; and the opt-in lock-out guard that slows
// guessing of a needed approver instead of locking it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { registerQuorumKey } from '../helpers/quorum-cli.js';
import { rsaKeys } from '../helpers/quorum.js';
import { type InteractiveShell, openShell } from '../helpers/shell.js';
import { addApproval } from '../helpers/token-files.js';

const PASS = 'admin-pass-2';

describe('quorum guards (2 HSMs, three approvers, user quorum 3)', () => {
  let cluster: TestCluster;
  let shell: InteractiveShell;
  const keys = rsaKeys(3);
  const KEY = { admin: keys[0]!, admin2: keys[1]!, admin3: keys[2]! };
  const admin = (...args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);
  // admin2 changes its own password and drops its quorum key.
  const deregisterOwnQuorumKey = () =>
    cluster.as('admin', 'admin2', PASS, [
      ...['user', 'change-password', '--username', 'admin2', '--role', 'admin'],
      ...['--password', PASS, '--deregister-quorum'],
    ]);
  const approvedFile = async (name: string, service: string, signers: (keyof typeof KEY)[]) => {
    const file = path.join(cluster.dir, name);
    const out = await shell.run(`quorum token-sign generate --service ${service} --token ${file}`);
    assert.equal(out.error_code, 0, JSON.stringify(out.data));
    for (const s of signers) addApproval(file, s, KEY[s].privateKey);
    return file;
  };

  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
    for (const name of ['admin2', 'admin3']) {
      assert.equal(
        (await admin('user', 'create', '--username', name, '--role', 'admin', '--password', PASS)).json
          ?.error_code,
        0,
      );
    }
    await registerQuorumKey(cluster, 'admin', ADMIN_PASSWORD, KEY.admin);
    await registerQuorumKey(cluster, 'admin2', PASS, KEY.admin2);
    await registerQuorumKey(cluster, 'admin3', PASS, KEY.admin3);
    shell = openShell(cluster.dir);
    assert.equal(
      (await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`)).error_code,
      0,
    );
  });
  after(async () => {
    await shell?.close();
    await cluster.close();
  });

  it('by default (as CloudHSM) sets a quorum value higher than the number of approvers, with a warning on stderr', async () => {
    const set = await admin(
      'quorum',
      'token-sign',
      'set-quorum-value',
      '--service',
      'cluster',
      '--value',
      '4',
    );
    assert.deepEqual(set.json, { error_code: 0, data: 'Set Quorum Value successful' });
    assert.equal(
      set.stderr,
      'warning: a quorum value of 4 for service cluster needs 4 quorum approvers, but only 3 approvers can approve it: its operations cannot be approved until more admins register a quorum key\n',
    );
    const back = await admin(
      'quorum',
      'token-sign',
      'set-quorum-value',
      '--service',
      'cluster',
      '--value',
      '1',
    );
    assert.deepEqual([back.json, back.stderr], [{ error_code: 0, data: 'Set Quorum Value successful' }, '']);
  });

  it('with the quorum guard policy on, refuses a quorum value higher than the number of approvers', async () => {
    assert.deepEqual(await shell.run('quorum token-sign set-policy --quorum-guard on'), {
      error_code: 0,
      data: 'Set quorum policy successful',
    });
    const refused = await shell.run('quorum token-sign set-quorum-value --service user --value 4');
    assert.deepEqual(refused, {
      error_code: 1,
      data: 'Refused: a quorum value of 4 for service user needs 4 quorum approvers, but only 3 approvers can approve it (refused by the quorum guard; use --allow-unmanageable to override)',
    });
    assert.deepEqual(await shell.run('quorum token-sign set-quorum-value --service user --value 3'), {
      error_code: 0,
      data: 'Set Quorum Value successful',
    });
    assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-quorum-values'])).json!.data, {
      user: 3,
      quorum: 1,
      cluster: 1,
    });
  });

  it('with the lock-out guard on (opt-in since issue 13), slows a needed approver down instead of locking it', async () => {
    assert.deepEqual(await shell.run('quorum token-sign set-policy --lockout-guard on'), {
      error_code: 0,
      data: 'Set quorum policy successful',
    });
    const failed = { error_code: 1, data: 'Incorrect authentication credentials' };
    for (let i = 0; i < 6; i++) {
      const run = await cluster.as('admin', 'admin3', 'wrong-password', ['quorum', 'token-sign', 'list']);
      assert.deepEqual(run.json, failed);
    }
    const users = (await cluster.cli(['user', 'list'])).json!.data.users;
    assert.equal(users.find((u: { username: string }) => u.username === 'admin3').locked, 'false');
    // During the delay after the 5th failure even the right password is refused, with the same text.
    const early = await cluster.as('admin', 'admin3', PASS, ['quorum', 'token-sign', 'list']);
    assert.deepEqual(early.json, failed);
    cluster.clock.advance(1);
    const ok = await cluster.as('admin', 'admin3', PASS, ['quorum', 'token-sign', 'list']);
    assert.equal(ok.json?.error_code, 0);
  });

  it("with the quorum guard policy on, refuses to deregister an approver's quorum key when fewer than M would remain", async () => {
    const run = await deregisterOwnQuorumKey();
    assert.deepEqual(run.json, {
      error_code: 1,
      data: 'Refused: deregistering the quorum key of admin2 would leave 2 quorum approvers for service user, which needs 3 (refused by the quorum guard; use --allow-unmanageable to override)',
    });
  });

  it('with the quorum guard policy on, refuses to delete an approver when fewer than M would remain; the override works with the same approval', async () => {
    const approval = await approvedFile('delete-admin3.json', 'user', ['admin', 'admin2', 'admin3']);
    const refused = await shell.run(`user delete --username admin3 --role admin --approval ${approval}`);
    assert.deepEqual(refused, {
      error_code: 1,
      data: 'Refused: deleting admin3 would leave 2 quorum approvers for service user, which needs 3 (refused by the quorum guard; use --allow-unmanageable to override)',
    });
    // The refusal did not consume the approval.
    const overridden = await shell.run(
      `user delete --username admin3 --role admin --approval ${approval} --allow-unmanageable`,
    );
    assert.deepEqual(overridden, { error_code: 0, data: { username: 'admin3', role: 'admin' } });

    // What the guard protects against: with 2 approvers left, no user operation can reach 3 approvals.
    const stuck = await approvedFile('create.json', 'user', ['admin', 'admin2']);
    assert.deepEqual(
      await shell.run(
        `user create --username late --role crypto-user --password user-pass-1 --approval ${stuck}`,
      ),
      {
        error_code: 1,
        data: 'Too few quorum approvals: currently 2 approvals, but 3 approvals required',
      },
    );
  });

  it('with the policy back off (the default), deregistering a needed approver is done with a warning', async () => {
    assert.deepEqual(await shell.run('quorum token-sign set-policy --quorum-guard off'), {
      error_code: 0,
      data: 'Set quorum policy successful',
    });
    const policy = await cluster.cli(['quorum', 'token-sign', 'list-policy']);
    assert.equal(policy.json!.data['quorum-guard'], 'off');
    const run = await deregisterOwnQuorumKey();
    assert.deepEqual(run.json, { error_code: 0, data: { username: 'admin2', role: 'admin' } });
    assert.equal(
      run.stderr,
      'warning: deregistering the quorum key of admin2 leaves 1 quorum approver for service user, which needs 3: its operations cannot be approved until more admins register a quorum key\n',
    );
  });
});
