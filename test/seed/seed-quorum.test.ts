// A seeded quorum: values and token timeouts in force on every HSM from the first command, and reported
// (not refused) when a ceremony changed them before the cluster is resumed with the same seed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startCluster } from '../../src/index.js';
import { compareClusterWithSeed } from '../../src/localhsm/new-cluster.js';
import { resolveSeed } from '../../src/seed/seed-file.js';
import { tempDir } from '../helpers/cluster.js';
import { testKeyPair } from '../helpers/keys.js';

const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' };
const SEED = {
  users: [
    {
      username: 'admin',
      role: 'admin' as const,
      password: 'admin-pass-1',
      quorumPublicKey: testKeyPair('q-admin').publicPem,
    },
    {
      username: 'officer',
      role: 'admin' as const,
      password: 'officer-pass-1',
      quorumPublicKey: testKeyPair('q-officer').publicPem,
    },
  ],
  quorumValues: { user: 2 },
  timeouts: { quorumGenerated: '5m', quorumApproved: '2m' },
};

describe('seeded quorum values and timeouts', () => {
  const work = tempDir('localhsm-seed-quorum-');
  const state = path.join(work, 'state');
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('are in force on every HSM from the start', async () => {
    const cluster = await startCluster({ state, hsms: 2, seed: SEED });
    try {
      assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-quorum-values'])).json, {
        error_code: 0,
        data: { user: 2, quorum: 1, cluster: 1 },
      });
      assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-timeouts'])).json, {
        error_code: 0,
        data: { generated: 300, approved: 120 },
      });
      const create = await cluster.cli(
        ['user', 'create', '--username', 'bob', '--role', 'crypto-user', '--password', 'bob-pass-12'],
        '',
        { env: ADMIN },
      );
      assert.deepEqual(create.json, {
        error_code: 1,
        data: 'Quorum approval is required for this operation',
      });
      // A ceremony lowers the value (the quorum service value is 1: no approval needed).
      const lowered = await cluster.cli(
        ['quorum', 'token-sign', 'set-quorum-value', '--service', 'user', '--value', '1'],
        '',
        { env: ADMIN },
      );
      assert.deepEqual(lowered.json, { error_code: 0, data: 'Set Quorum Value successful' });
    } finally {
      await cluster.stop();
    }
  });

  it('a resumed cluster whose values changed is noted, not refused', async () => {
    const cluster = await startCluster({ state, seed: SEED });
    try {
      const { mismatches, notes } = await compareClusterWithSeed(state, resolveSeed(SEED), () => {});
      assert.deepEqual(mismatches, []);
      assert.deepEqual(notes, ['the user quorum value is 1 (seed: 2)']);
    } finally {
      await cluster.stop();
    }
  });
});
