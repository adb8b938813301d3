// cluster mtls with real processes: localhsm issues the client certificate, the node processes enforce it, and the
// enforcement level survives `localhsm down` / `up`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { cloudhsmCli, downIfPresent, localhsm, upDetached } from '../helpers/processes.js';

const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' };

describe('cluster mtls across processes', () => {
  const dir = tempDir('localhsm-mtls-');
  const state = path.join(dir, '.localhsm');
  const cfg = path.join(state, 'cloudhsm-cli.cfg');
  const mtlsDir = path.join(dir, 'mtls');
  const cli = async (args: string[], env: NodeJS.ProcessEnv = ADMIN) => {
    const run = await cloudhsmCli(state, args, { env });
    return { ...run, json: JSON.parse(run.stdout) as { error_code: number; data: any } };
  };
  const withClientCert = (on: boolean) => {
    const config = JSON.parse(fs.readFileSync(cfg, 'utf8'));
    const cluster = config.clusters[0].cluster;
    delete cluster.client_cert_hsm_tls_file;
    delete cluster.client_key_hsm_tls_file;
    if (on) {
      cluster.client_cert_hsm_tls_file = path.join(mtlsDir, 'client.crt');
      cluster.client_key_hsm_tls_file = path.join(mtlsDir, 'client.key');
    }
    fs.writeFileSync(cfg, JSON.stringify(config, null, 2));
  };

  before(async () => {
    await upDetached(state, 2);
    assert.equal((await cli(['cluster', 'activate', '--password', 'admin-pass-1'], {})).json.error_code, 0);
  });
  after(async () => {
    await downIfPresent(state);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('localhsm mtls issue-client-cert writes a CA and a client certificate, keys 0600, never replacing files', async () => {
    const run = await localhsm(['mtls', 'issue-client-cert', '--out', mtlsDir]);
    assert.equal(run.exitCode, 0, run.stderr);
    for (const [name, mode] of [
      ['ca.crt', 0o644],
      ['ca.key', 0o600],
      ['client.crt', 0o644],
      ['client.key', 0o600],
    ] as const)
      assert.equal(fs.statSync(path.join(mtlsDir, name)).mode & 0o777, mode, name);
    const again = await localhsm(['mtls', 'issue-client-cert', '--out', mtlsDir]);
    assert.equal(again.exitCode, 1);
    assert.match(again.stderr + again.stdout, /already exists/);
  });

  it('enforces client certificates in the node processes, also after down and up', async () => {
    const anchor = await cli([
      'cluster',
      'mtls',
      'register-trust-anchor',
      '--path',
      path.join(mtlsDir, 'ca.crt'),
    ]);
    assert.equal(anchor.json.data.trust_anchor['certificate-reference'], '0x01', anchor.stdout);
    withClientCert(true);
    assert.equal(
      (await cli(['cluster', 'mtls', 'set-enforcement', '--level', 'cluster'])).json.error_code,
      0,
    );

    withClientCert(false);
    const refused = await cli(['user', 'list'], {});
    assert.deepEqual(refused.json, { error_code: 1, data: 'HSM is disconnected' });
    assert.equal(refused.exitCode, 1);

    assert.equal((await localhsm(['down', '--state', state])).exitCode, 0);
    const up = await localhsm(['up', '--detach', '--state', state]);
    assert.equal(up.exitCode, 0, up.stderr);
    const status = await localhsm(['status', '--state', state]);
    assert.equal((status.stdout.match(/ up /g) ?? []).length, 2, status.stdout);
    assert.deepEqual((await cli(['user', 'list'], {})).json, { error_code: 1, data: 'HSM is disconnected' });

    withClientCert(true);
    assert.deepEqual((await cli(['cluster', 'mtls', 'get-enforcement'])).json, {
      error_code: 0,
      data: { 'mtls-enforcement-level': 'cluster', 'cluster-coverage': 'full' },
    });
    assert.equal((await cli(['user', 'list'], {})).json.error_code, 0);
  });
});
