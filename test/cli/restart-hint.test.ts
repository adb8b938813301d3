// A restarted HSM keeps no session: cloudhsm-cli says which HSM restarted and to log in again (stderr only;
// the envelope stays the node's "You must be logged in").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { type InteractiveShell, openShell } from '../helpers/shell.js';

describe('an HSM restarted under a logged-in shell', () => {
  let cluster: TestCluster;
  let shell: InteractiveShell;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
    shell = openShell(cluster.dir);
    const login = await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
    assert.equal(login.error_code, 0, JSON.stringify(login));
  });
  after(async () => {
    await shell.close();
    await cluster.close();
  });

  it('one HSM restarted: its refusal is followed by a hint naming it', async () => {
    const address = `${cluster.manifest.hsms[1]!.host}:${cluster.manifest.hsms[1]!.port}`;
    await cluster.stopNode(1);
    await cluster.startNode(1);
    const from = shell.stderr().length;
    const created = await shell.run('user create --username bob --role crypto-user --password bob-pass-123');
    const err = shell.stderr().slice(from);
    assert.notEqual(created.error_code, 0);
    assert.match(err, new RegExp(`warning: HSM at ${address} refused: You must be logged in`));
    assert.match(err, new RegExp(`hint: HSM at ${address} restarted and forgot this session: log in again`));
  });

  it("every HSM restarted: the envelope is the node's, the hint is on stderr", async () => {
    await shell.run('logout');
    const login = await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
    assert.equal(login.error_code, 0, JSON.stringify(login));
    for (const i of [0, 1]) {
      await cluster.stopNode(i);
      await cluster.startNode(i);
    }
    const from = shell.stderr().length;
    const created = await shell.run(
      'user create --username carol --role crypto-user --password carol-pass-123',
    );
    assert.deepEqual(created, { error_code: 1, data: 'You must be logged in to perform this operation' });
    assert.match(
      shell.stderr().slice(from),
      /hint: HSM at \S+ restarted and forgot this session: log in again/,
    );
  });
});
