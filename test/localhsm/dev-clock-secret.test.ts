// The control secret of a --dev-clock cluster: made with the cluster (0600), read by localhsm time; a cluster made
// before it existed gets one on the first move.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { type TestCluster, startTestCluster } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

describe('dev-clock control secret', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ hsms: 2, devClock: true });
  });
  after(() => cluster.close());
  const offsets = () => cluster.nodes.map((n) => n?.node.devClock?.offsetMs);

  it('is a 0600 file of the state directory, and localhsm time moves the clock with it', async () => {
    const file = paths(cluster.dir).devClockSecret;
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const run = await runLocalhsm(['time', 'advance', '1m', '--state', cluster.dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(offsets(), [60_000, 60_000]);
  });

  it('a cluster made before the secret existed gets one on the first move', async () => {
    fs.rmSync(paths(cluster.dir).devClockSecret);
    for (const hsm of cluster.manifest.hsms) {
      const db = new Database(paths(cluster.dir).hsm(hsm.id).db);
      db.prepare("DELETE FROM settings WHERE key = 'dev_clock_secret_sha256'").run();
      db.close();
    }
    const run = await runLocalhsm(['time', 'advance', '1m', '--state', cluster.dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(offsets(), [120_000, 120_000]);
    assert.equal(fs.statSync(paths(cluster.dir).devClockSecret).mode & 0o777, 0o600);
  });
});
