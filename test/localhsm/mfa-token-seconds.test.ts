// The MFA token lifetime as a node setting: written at cluster creation (`localhsm up --mfa-token-seconds`), read by the node.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { mfaTokenSeconds } from '../../src/hsm/challenge.js';
import { HsmNode } from '../../src/hsm/node.js';
import { SqliteStore } from '../../src/hsm/store/sqlite.js';
import { createCluster } from '../../src/localhsm/cluster-manager.js';
import { tempDir } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

describe('mfa_token_seconds', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('is written into every new HSM and read back by the node; an unusable value stops the node', async () => {
    const dir = tempDir();
    dirs.push(dir);
    await createCluster(dir, { hsms: 2, kdf: 'fast', basePort: 0, settings: { mfa_token_seconds: 45 } });
    for (const hsm of readManifest(dir).hsms) {
      const store = new SqliteStore(paths(dir).hsm(hsm.id).db);
      try {
        assert.equal(mfaTokenSeconds(store), 45);
        store.setSetting('mfa_token_seconds', 'soon');
        const refusal = {
          name: 'SettingError',
          message:
            "HSM state: the setting mfa_token_seconds holds 'soon', not a whole number from 1 to 9999999",
        };
        assert.throws(() => mfaTokenSeconds(store), refusal);
        assert.throws(() => new HsmNode(store), refusal);
      } finally {
        store.close();
      }
    }
  });

  it('is checked by localhsm up before anything is created', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const run = await runLocalhsm(['up', '--state', dir, '--mfa-token-seconds', '0', '--kdf', 'fast']);
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      'error: --mfa-token-seconds must be a whole number of seconds from 1 to 9999999\n',
    );
    assert.equal(fs.existsSync(paths(dir).manifest), false);
  });
});
