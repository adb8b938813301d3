// localhsm install-paths / uninstall-paths, and which cloudhsm-cli.cfg a client reads (chooseConfig).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { chooseConfig, installPaths } from '../../src/cluster/install-paths.js';
import { readManifest } from '../../src/cluster/state-dir.js';
import { createCluster } from '../../src/localhsm/cluster-manager.js';
import { LAUNCHER_MARK } from '../../src/localhsm/install-files.js';
import { tempDir } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

describe('localhsm install-paths / uninstall-paths', () => {
  let state: string;
  before(async () => {
    state = path.join(tempDir('localhsm-install-'), 'state');
    fs.mkdirSync(state);
    await createCluster(state, { hsms: 2, kdf: 'fast', basePort: 0, hsmType: 'hsm1.medium' });
  });
  const mode = (file: string) => fs.statSync(file).mode & 0o777;

  it('installs launchers, the config (pointing at the copied CA) and the CA; uninstall removes exactly them', async () => {
    const prefix = path.join(tempDir('localhsm-prefix-'), 'root');
    const target = installPaths(prefix);
    const r = await runLocalhsm(['install-paths', '--state', state, '--prefix', prefix]);
    assert.equal(r.code, 0, r.stderr);
    const clusterId = readManifest(state).clusterId;
    assert.equal(
      r.stdout,
      [
        `Installed for cluster ${clusterId} (state: ${state}):`,
        `  ${target.cli}`,
        `  ${target.configure}`,
        `  ${target.config}`,
        `  ${target.ca}`,
        `cloudhsm-cli reads ${target.config} when no --state, $LOCALHSM_STATE or ./.localhsm gives a cluster.`,
        `Remove them with: localhsm uninstall-paths --prefix ${prefix}`,
        '',
      ].join('\n'),
    );
    for (const launcher of [target.cli, target.configure]) {
      assert.equal(mode(launcher), 0o755);
      const text = fs.readFileSync(launcher, 'utf8');
      assert.equal(text.split('\n')[1], LAUNCHER_MARK);
      assert.match(text, new RegExp(`^LOCALHSM_INSTALL_PREFIX='${prefix}'$`, 'm'));
    }
    const config = JSON.parse(fs.readFileSync(target.config, 'utf8'));
    assert.equal(config.clusters[0].type, 'hsm1');
    assert.equal(config.clusters[0].cluster.hsm_ca_file, target.ca);
    assert.equal(
      fs.readFileSync(target.ca, 'utf8'),
      fs.readFileSync(path.join(state, 'customerCA.crt'), 'utf8'),
    );
    // A re-run updates its own files.
    assert.equal((await runLocalhsm(['install-paths', '--state', state, '--prefix', prefix])).code, 0);
    // Someone else's file in etc stays, and so do the directories holding it.
    fs.writeFileSync(path.join(target.etc, 'someone-else.txt'), 'x');
    const u = await runLocalhsm(['uninstall-paths', '--prefix', prefix]);
    assert.deepEqual(u, {
      code: 0,
      stdout: `Removed 4 file(s) installed by LocalHSM under ${prefix}.\n`,
      stderr: '',
    });
    assert.deepEqual(fs.readdirSync(target.etc), ['someone-else.txt']);
    assert.equal(fs.existsSync(target.bin), false);
    fs.rmSync(path.join(target.etc, 'someone-else.txt'));
    // Nothing left to uninstall.
    const none = await runLocalhsm(['uninstall-paths', '--prefix', prefix]);
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      `error: nothing installed by LocalHSM under ${prefix} (no ${target.manifest}); nothing was changed\n`,
    );
  });

  it('removes the directories it created when they are empty', async () => {
    const prefix = path.join(tempDir('localhsm-prefix-'), 'new', 'root');
    assert.equal((await runLocalhsm(['install-paths', '--state', state, '--prefix', prefix])).code, 0);
    assert.equal((await runLocalhsm(['uninstall-paths', '--prefix', prefix])).code, 0);
    assert.equal(fs.existsSync(path.dirname(prefix)), false);
  });

  it('never writes over, or removes, a file it did not install', async () => {
    const prefix = tempDir('localhsm-prefix-');
    const target = installPaths(prefix);
    fs.mkdirSync(target.bin, { recursive: true });
    fs.writeFileSync(target.cli, '#!/bin/sh\necho real client\n');
    const r = await runLocalhsm(['install-paths', '--state', state, '--prefix', prefix]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: ${target.cli} exists and was not installed by LocalHSM (a CloudHSM client?); nothing was changed\n`,
    );
    assert.equal(fs.existsSync(target.etc), false);
    // A launcher replaced after installation is kept by uninstall.
    fs.rmSync(target.cli);
    assert.equal((await runLocalhsm(['install-paths', '--state', state, '--prefix', prefix])).code, 0);
    fs.writeFileSync(target.configure, '#!/bin/sh\necho real configure\n');
    const u = await runLocalhsm(['uninstall-paths', '--prefix', prefix]);
    assert.equal(u.code, 0);
    assert.equal(u.stdout, `Removed 3 file(s) installed by LocalHSM under ${prefix}.\n`);
    assert.equal(u.stderr, `note: kept ${target.configure}: it was replaced since and is not LocalHSM's\n`);
    assert.equal(fs.readFileSync(target.configure, 'utf8'), '#!/bin/sh\necho real configure\n');
  });

  it('says to use sudo or --prefix without write access, and needs a cluster', async () => {
    // /sys refuses new directories even to root.
    const denied = await runLocalhsm(['install-paths', '--state', state, '--prefix', '/sys/localhsm-test']);
    assert.equal(denied.code, 1);
    assert.match(
      denied.stderr,
      /^error: cannot write \/sys\/localhsm-test.*: permission denied; run it as root \(sudo localhsm install-paths\) or give --prefix DIR\n$/,
    );
    const empty = tempDir('localhsm-nostate-');
    const none = await runLocalhsm(['install-paths', '--state', empty, '--prefix', tempDir()]);
    assert.deepEqual(
      [none.code, none.stderr],
      [1, `error: no cluster in ${empty}: create one with localhsm up, or give --state DIR\n`],
    );
  });
});

describe('the config cloudhsm-cli and configure-cli read', () => {
  it('is the state directory’s when one is named or ./.localhsm has one, else the installed one', () => {
    const cwd = tempDir('localhsm-choose-');
    const prefix = tempDir('localhsm-choose-prefix-');
    const env = { LOCALHSM_INSTALL_PREFIX: prefix };
    const installed = installPaths(prefix).config;
    const own = path.join(cwd, '.localhsm', 'cloudhsm-cli.cfg');
    // Nothing anywhere: ./.localhsm (so the hint says where it looked).
    assert.deepEqual(chooseConfig(undefined, env, cwd), {
      file: own,
      source: './.localhsm',
      stateDir: path.dirname(own),
    });
    fs.mkdirSync(path.dirname(installed), { recursive: true });
    fs.writeFileSync(installed, '{}');
    assert.deepEqual(chooseConfig(undefined, env, cwd), {
      file: installed,
      source: 'installed',
      stateDir: undefined,
    });
    // An explicit state directory is never replaced by the installed config, even without a cluster.
    assert.equal(chooseConfig('elsewhere', env, cwd).file, path.join(cwd, 'elsewhere', 'cloudhsm-cli.cfg'));
    assert.equal(chooseConfig(undefined, { ...env, LOCALHSM_STATE: '/x' }, cwd).file, '/x/cloudhsm-cli.cfg');
    assert.equal(
      chooseConfig(undefined, { ...env, LOCALHSM_CLI_CONFIG: 'my.cfg' }, cwd).file,
      path.join(cwd, 'my.cfg'),
    );
    fs.mkdirSync(path.dirname(own));
    fs.writeFileSync(own, '{}');
    assert.equal(chooseConfig(undefined, env, cwd).file, own);
  });
});
