// Registering a quorum key over one's own registered key says so on stderr (a wrong key registered by mistake
// is otherwise only found at the ceremony); the first registration says nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { registerQuorumKey } from '../helpers/quorum-cli.js';
import { rsaKeys } from '../helpers/quorum.js';

describe('user change-quorum token-sign register over an existing key', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 1 });
  });
  after(() => cluster.close());

  it('notes the replacement on stderr, and only then', async () => {
    const [first, second] = rsaKeys(2);
    const seen: { stderr?: string } = {};
    await registerQuorumKey(cluster, 'admin', ADMIN_PASSWORD, first!, seen);
    assert.doesNotMatch(seen.stderr ?? '', /replaced/);
    await registerQuorumKey(cluster, 'admin', ADMIN_PASSWORD, second!, seen);
    assert.match(
      seen.stderr ?? '',
      /note: this replaced the quorum key registered for admin; approvals signed with the old key no longer count/,
    );
  });
});
