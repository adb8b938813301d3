// hsm stop/start/add/remove and backup create/restore on a real cluster directory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { stopNodes } from '../../src/localhsm/cluster-manager.js';
import {
  ADMIN_PASSWORD,
  runCli,
  startActivatedCluster,
  tempDir,
  type TestCluster,
} from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

describe('HSM membership and backups', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster();
    const created = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'eve',
      '--role',
      'crypto-user',
      '--password',
      'eve-password',
    ]);
    assert.equal(created.json?.error_code, 0);
  });
  after(async () => {
    await stopNodes(cluster.dir);
    await cluster.close();
  });

  it('hsm add clones a running HSM into a new one that joins the config and holds every user', async () => {
    const run = await runLocalhsm(['hsm', 'add', '--state', cluster.dir]);
    assert.equal(run.code, 0, run.stderr);
    const manifest = readManifest(cluster.dir);
    assert.equal(manifest.hsms.length, 4);
    const added = manifest.hsms[3]!;
    assert.ok(!cluster.manifest.hsms.some((h) => h.id === added.id), 'the clone has its own id');
    const config = JSON.parse(fs.readFileSync(paths(cluster.dir).config, 'utf8'));
    assert.equal(config.clusters[0].cluster.servers.length, 4);
    const info = await cluster.cli(['cluster', 'hsm-info']);
    assert.equal(info.json!.data.hsms.length, 4);
    assert.equal(
      new Set(info.json!.data.hsms.map((h: { 'serial-number': string }) => h['serial-number'])).size,
      4,
    );
    const list = await cluster.cli(['user', 'list']);
    const eve = list.json!.data.users.find((u: { username: string }) => u.username === 'eve');
    assert.equal(eve['cluster-coverage'], 'full');
    const login = await cluster.as('crypto-user', 'eve', 'eve-password', ['logout']);
    assert.deepEqual(login.json, { error_code: 0, data: 'Logout successful' });
  });

  it('hsm stop and start take an HSM out and back; status shows it', async () => {
    const added = readManifest(cluster.dir).hsms[3]!;
    assert.equal((await runLocalhsm(['hsm', 'stop', '--hsm', added.id, '--state', cluster.dir])).code, 0);
    const down = await runLocalhsm(['status', '--state', cluster.dir]);
    assert.equal(down.code, 1);
    assert.match(down.stdout, new RegExp(`${added.id}\\s+127\\.0\\.0\\.1:${added.port}\\s+down`));
    const created = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'frank',
      '--role',
      'admin',
      '--password',
      'frank-password',
    ]);
    assert.deepEqual(created.json, { error_code: 1, data: 'User create failed on 1 of 4 connections' });
    assert.equal((await runLocalhsm(['hsm', 'start', '--hsm', added.id, '--state', cluster.dir])).code, 0);
    const repaired = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'frank',
      '--role',
      'admin',
      '--password',
      'frank-password',
    ]);
    assert.equal(repaired.json?.error_code, 0);
  });

  it('hsm remove drops an HSM from the cluster and the config', async () => {
    const added = readManifest(cluster.dir).hsms[3]!;
    const run = await runLocalhsm(['hsm', 'remove', '--hsm', added.id, '--state', cluster.dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readManifest(cluster.dir).hsms.length, 3);
    assert.ok(!fs.existsSync(paths(cluster.dir).hsm(added.id).dir));
    const info = await cluster.cli(['cluster', 'hsm-info']);
    assert.equal(info.json!.data.hsms.length, 3);
    assert.equal(info.stderr, '');
  });

  it('backup restore brings the users into a new cluster; truncated or altered backups are refused', async () => {
    const work = tempDir('backup-');
    try {
      const file = path.join(work, 'cluster.bak');
      const created = await runLocalhsm(['backup', 'create', '--out', file, '--state', cluster.dir]);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);

      const bytes = fs.readFileSync(file);
      fs.writeFileSync(path.join(work, 'truncated.bak'), bytes.subarray(0, bytes.length - 100));
      const altered = Buffer.from(bytes);
      altered[altered.length - 5000] ^= 0xff;
      fs.writeFileSync(path.join(work, 'altered.bak'), altered);
      const truncated = await runLocalhsm([
        'backup',
        'restore',
        path.join(work, 'truncated.bak'),
        '--state',
        path.join(work, 't'),
        '--key-file',
        paths(cluster.dir).backupKey,
      ]);
      assert.equal(truncated.code, 1);
      assert.match(
        truncated.stderr,
        /Refused to restore .*truncated\.bak: it holds \d+ bytes of state, the header says \d+ \(truncated\?\)/,
      );
      const changed = await runLocalhsm([
        'backup',
        'restore',
        path.join(work, 'altered.bak'),
        '--state',
        path.join(work, 'a'),
        '--key-file',
        paths(cluster.dir).backupKey,
      ]);
      assert.equal(changed.code, 1);
      assert.match(changed.stderr, /it does not verify under the backup key \(the file was altered\)/);
      assert.ok(!fs.existsSync(path.join(work, 'a', 'cluster.json')));

      const target = path.join(work, 'restored');
      const restored = await runLocalhsm([
        'backup',
        'restore',
        file,
        '--state',
        target,
        '--key-file',
        paths(cluster.dir).backupKey,
        '--hsms',
        '2',
        '--base-port',
        '0',
      ]);
      assert.equal(restored.code, 0, restored.stderr + restored.stdout);
      const manifest = readManifest(target);
      assert.notEqual(manifest.clusterId, cluster.manifest.clusterId);
      const up = await runLocalhsm(['up', '--state', target, '--detach']);
      assert.equal(up.code, 0, up.stderr);
      try {
        const list = await runCli(['user', 'list'], { state: target });
        assert.deepEqual(
          list.json!.data.users.map((u: { username: string }) => u.username),
          ['admin', 'eve', 'frank', 'app_user'],
        );
        const login = await runCli(['logout'], {
          state: target,
          env: { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` },
        });
        assert.equal(login.json?.error_code, 0);
      } finally {
        await stopNodes(target);
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
