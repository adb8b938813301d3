// `localhsm up --hsm-type` / startCluster({ hsmType }): the cfg's type, and the CLI's view of an hsm1.medium cluster.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LaunchedCluster, launchCluster } from '../../src/library/start-cluster.js';
import { ADMIN_PASSWORD, runCli, tempDir } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

describe('an hsm1.medium cluster', () => {
  let launched: LaunchedCluster;
  let dir: string;
  before(async () => {
    launched = await launchCluster({ hsms: 2, hsmType: 'hsm1.medium', state: tempDir() });
    dir = launched.cluster.stateDir;
    await runCli(['cluster', 'activate', '--password', ADMIN_PASSWORD], { state: dir });
  });
  after(async () => {
    await launched.cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has type hsm1 in its config and manifest', () => {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'cloudhsm-cli.cfg'), 'utf8'));
    assert.equal(config.clusters[0].type, 'hsm1');
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8')).hsmType, 'hsm1.medium');
  });

  it('localhsm status shows the HSM type (table and JSON)', async () => {
    const table = await runLocalhsm(['status', '--state', dir]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Cluster cluster-[a-z2-7]{11} \(HSM type hsm1\.medium, FIPS mode\)$/m);
    const json = await runLocalhsm(['status', '--state', dir, '--json']);
    assert.equal(JSON.parse(json.stdout).hsmType, 'hsm1.medium');
  });

  it('lists no cluster quorum value and refuses to set one', async () => {
    const list = await runCli(['quorum', 'token-sign', 'list-quorum-values'], { state: dir });
    assert.deepEqual(list.json, { error_code: 0, data: { user: 1, quorum: 1 } });
    const set = await runCli(
      ['quorum', 'token-sign', 'set-quorum-value', '--service', 'cluster', '--value', '2'],
      {
        state: dir,
        env: { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` },
      },
    );
    assert.equal(set.exitCode, 1);
    assert.equal(set.json?.data, "Invalid quorum service 'cluster': possible values are user, quorum");
  });
});

describe('localhsm up --hsm-type', () => {
  it('accepts only the two documented types', async () => {
    const r = await runLocalhsm(['up', '--state', tempDir(), '--hsm-type', 'hsm3.large']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /invalid value 'hsm3\.large' for '--hsm-type <TYPE>'\n {2}\[possible values: hsm1\.medium, hsm2m\.medium\]/,
    );
  });
});
