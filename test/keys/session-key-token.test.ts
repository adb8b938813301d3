// A session key made a token key with `key set-attribute --name token --value true` (spec §2.4, §2.6: token is
// false→true only): it outlives its session and is copied to every HSM at once; token→false is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type TestCluster, startActivatedCluster } from '../helpers/cluster.js';
import { openShell } from '../helpers/shell.js';

const PASS = 'crypto-pass-1';

describe('session keys and the token attribute', () => {
  let c: TestCluster;
  before(async () => {
    c = await startActivatedCluster({ hsms: 3 });
    const made = await c.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      PASS,
    ]);
    assert.equal(made.json?.error_code, 0);
  });
  after(() => c.close());

  it('token false→true turns a session key into a token key on every HSM; true→false is refused', async () => {
    const shell = openShell(c.dir);
    try {
      assert.equal(
        (await shell.run(`login --username alice --role crypto-user --password ${PASS}`)).error_code,
        0,
      );
      for (const label of ['kept', 'dropped']) {
        const made = await shell.run(
          `key generate-symmetric aes --label ${label} --key-length-bytes 16 --session`,
        );
        assert.equal(made.data.key['key-info']['cluster-coverage'], 'session', JSON.stringify(made));
        assert.equal(made.data.key.attributes.token, false);
      }
      const set = await shell.run('key set-attribute --filter attr.label=kept --name token --value true');
      assert.deepEqual(set, { error_code: 0, data: { message: 'Attribute set successfully' } });
      assert.doesNotMatch(shell.stderr(), /failed on|refused the key/);
      const listed = await shell.run('key list --filter attr.label=kept --verbose');
      const key = listed.data.matched_keys[0];
      assert.equal(key.attributes.token, true);
      // On all three HSMs at once, not after a server-side sync pass.
      assert.equal(key['key-info']['cluster-coverage'], 'full');
      assert.deepEqual(key['key-info']['key-owners'], [{ username: 'alice', 'key-coverage': 'full' }]);
      // One-way: back to a session key is refused with the [T1] sentence.
      assert.deepEqual(
        await shell.run('key set-attribute --filter attr.label=kept --name token --value false'),
        {
          error_code: 1,
          data: 'Attribute token cannot be set to the value false by the user for this operation',
        },
      );
    } finally {
      assert.equal(await shell.close(), 0);
    }
    // The session ended: the token key stays (on every HSM), the session key that stayed one is gone.
    const after = await c.as('crypto-user', 'alice', PASS, ['key', 'list', '--verbose']);
    assert.equal(after.json?.error_code, 0, after.stdout + after.stderr);
    const keys = after.json!.data.matched_keys;
    assert.deepEqual(
      keys.map((k: any) => [k.attributes.label, k['key-info']['cluster-coverage']]),
      [['kept', 'full']],
    );
  });
});
