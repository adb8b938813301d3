// Issue 14 "Done when": a bootstrap script written for the real CloudHSM client (/opt/cloudhsm paths, configure-cli,
// the activation retry loop, users made in single-command mode) runs against LocalHSM after
// `localhsm install-paths --prefix DIR`, unchanged but for that prefix; a re-run finds everything done.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { ROOT, localhsm } from '../helpers/processes.js';

const SCRIPT = path.join(ROOT, 'test', 'examples', 'scripts', 'cloudhsm-bootstrap.sh');

describe('a CloudHSM bootstrap script run against LocalHSM after install-paths --prefix', () => {
  const dir = tempDir('localhsm-script-run-');
  const state = path.join(dir, 'state');
  const prefix = path.join(dir, 'root');
  const work = path.join(dir, 'work');
  let script: string;

  before(async () => {
    const up = await localhsm([
      'up',
      '--state',
      state,
      '--hsms',
      '2',
      '--kdf',
      'fast',
      '--base-port',
      '0',
      '--detach',
    ]);
    assert.equal(up.exitCode, 0, up.stderr);
    const install = await localhsm(['install-paths', '--state', state, '--prefix', prefix]);
    assert.equal(install.exitCode, 0, install.stderr);
    const original = fs.readFileSync(SCRIPT, 'utf8');
    script = path.join(dir, 'bootstrap.sh');
    const substituted = original.replaceAll('/opt/cloudhsm/', `${prefix}/opt/cloudhsm/`);
    // The prefix is the only change.
    assert.ok(substituted !== original);
    assert.equal(substituted.replaceAll(`${prefix}/opt/cloudhsm/`, '/opt/cloudhsm/'), original);
    fs.writeFileSync(script, substituted, { mode: 0o755 });
    fs.mkdirSync(work);
  });

  after(async () => {
    await localhsm(['down', '--state', state]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The script in a directory without a state, with no LOCALHSM_* variable: as under `sudo`. */
  const run = () =>
    spawnSync('bash', [script], {
      cwd: work,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HSM_IP: '127.0.0.1',
        ADMIN_PASSWORD: 'admin-password-1',
        CU_PASSWORD: 'crypto-password-1',
      },
    });

  it('configures, activates and creates the users', () => {
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    assert.equal(
      first.stdout,
      'cluster activated\ncreated app_signer\ncreated app_reader\nadmin quorum strategies: 1\nusers on the cluster: 4\n',
    );
    const config = JSON.parse(
      fs.readFileSync(path.join(prefix, 'opt/cloudhsm/etc/cloudhsm-cli.cfg'), 'utf8'),
    );
    assert.equal(config.disable_key_availability_check, true);
    const ports = JSON.parse(fs.readFileSync(path.join(state, 'cluster.json'), 'utf8')).hsms.map(
      (h: { port: number }) => h.port,
    );
    assert.deepEqual(
      config.clusters[0].cluster.servers.map((s: { hostname: string; port: number }) => [s.hostname, s.port]),
      ports.map((p: number) => ['127.0.0.1', p]),
    );
  });

  it('finds everything done on a re-run (the texts the script keys on)', () => {
    const again = run();
    assert.equal(again.status, 0, again.stderr);
    assert.equal(
      again.stdout,
      'cluster already activated\napp_signer already exists\napp_reader already exists\nadmin quorum strategies: 1\nusers on the cluster: 4\n',
    );
  });

  it('lets the installed launcher find the cluster with an empty environment (sudo resets it)', () => {
    const info = spawnSync(path.join(prefix, 'opt/cloudhsm/bin/cloudhsm-cli'), ['cluster', 'hsm-info'], {
      cwd: work,
      encoding: 'utf8',
      env: {},
    });
    assert.equal(info.status, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).data.hsms.length, 2);
  });
});
