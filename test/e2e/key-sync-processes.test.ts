// Server-side key sync on real node processes: a key created, a key deleted and a key changed (attribute, share)
// while an HSM was down reach it when it returns, by `localhsm hsm sync` and by the nodes' own periodic job; a
// deleted key never comes back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClusterManifest, readManifest } from '../../src/cluster/state-dir.js';
import { tempDir } from '../helpers/cluster.js';
import { cloudhsmCli, downIfPresent, localhsm } from '../helpers/processes.js';

const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' };
const ALICE = { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'alice:alice-pass-1' };

async function upCluster(state: string, syncSeconds: string): Promise<ClusterManifest> {
  const env = { LOCALHSM_KEY_SYNC_SECONDS: syncSeconds };
  const up = await localhsm(
    ['up', '--hsms', '3', '--kdf', 'fast', '--base-port', '0', '--detach', '--state', state],
    { env },
  );
  assert.equal(up.exitCode, 0, up.stderr);
  const activate = await cloudhsmCli(state, ['cluster', 'activate', '--password', 'admin-pass-1']);
  assert.equal(activate.exitCode, 0, activate.stdout + activate.stderr);
  for (const name of ['alice', 'bob']) {
    const user = await cloudhsmCli(
      state,
      ['user', 'create', '--username', name, '--role', 'crypto-user', '--password', `${name}-pass-1`],
      { env: ADMIN },
    );
    assert.equal(user.exitCode, 0, user.stdout + user.stderr);
  }
  return readManifest(state);
}

async function ok(run: Promise<{ exitCode: number; stdout: string; stderr: string }>): Promise<any> {
  const r = await run;
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout).data;
}

const generateAes = (state: string, label: string) =>
  ok(
    cloudhsmCli(state, ['key', 'generate-symmetric', 'aes', '--label', label, '--key-length-bytes', '32'], {
      env: ALICE,
    }),
  );

/** cluster-coverage of each key with `label`, as `key list --verbose` shows it (no availability check). */
async function coverage(state: string, label: string): Promise<string[]> {
  const data = await ok(
    cloudhsmCli(state, ['key', 'list', '--filter', `attr.label=${label}`, '--verbose'], { env: ALICE }),
  );
  return data.matched_keys.map((k: any) => k['key-info']['cluster-coverage']);
}

/** The verbose key object with `label` (one key expected). */
async function verboseKey(state: string, label: string): Promise<any> {
  const data = await ok(
    cloudhsmCli(state, ['key', 'list', '--filter', `attr.label=${label}`, '--verbose'], { env: ALICE }),
  );
  assert.equal(data.matched_keys.length, 1);
  return data.matched_keys[0];
}

/** Set an attribute and share with bob while one HSM is down (the CLI reports the HSM that missed each). */
async function changeWhileDown(state: string, label: string): Promise<void> {
  const set = await cloudhsmCli(
    state,
    ['key', 'set-attribute', '--filter', `attr.label=${label}`, '--name', 'decrypt', '--value', 'true'],
    { env: ALICE },
  );
  assert.match(set.stdout, /failed on 1 of 3 connections/);
  const share = await cloudhsmCli(
    state,
    ['key', 'share', '--filter', `attr.label=${label}`, '--username', 'bob', '--role', 'crypto-user'],
    { env: ALICE },
  );
  assert.match(share.stdout, /failed on 1 of 3 connections/);
}

/** What every HSM must agree on after the change: the attribute, the share, full coverage. */
function assertConverged(key: any): void {
  assert.equal(key.attributes.decrypt, true);
  assert.deepEqual(key['key-info']['shared-users'], [{ username: 'bob', 'key-coverage': 'full' }]);
  assert.equal(key['key-info']['cluster-coverage'], 'full');
  assert.deepEqual(key['key-info']['key-owners'], [{ username: 'alice', 'key-coverage': 'full' }]);
}

describe('server-side key sync (real processes)', () => {
  const root = tempDir('localhsm-key-sync-');
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('localhsm hsm sync', () => {
    const state = path.join(root, 'forced');
    let manifest: ClusterManifest;
    before(async () => {
      // A day between periodic passes: only `hsm sync` can do what this suite sees.
      manifest = await upCluster(state, '86400');
    });
    after(() => downIfPresent(state));

    it('copies a key created while an HSM was down, and deletes a key deleted while it was down', async () => {
      const down = manifest.hsms[2]!.id;
      await generateAes(state, 'doomed');
      assert.deepEqual(await coverage(state, 'doomed'), ['full']);
      assert.equal((await localhsm(['hsm', 'stop', '--hsm', down, '--state', state])).exitCode, 0);
      await generateAes(state, 'missed');
      // Deleted on the two HSMs that answer (the CLI says the third failed, as it does for any change).
      const deleted = await cloudhsmCli(state, ['key', 'delete', '--filter', 'attr.label=doomed'], {
        env: ALICE,
      });
      assert.match(deleted.stdout, /Key delete failed on 1 of 3 connections/);
      assert.equal((await localhsm(['hsm', 'start', '--hsm', down, '--state', state])).exitCode, 0);
      assert.deepEqual(await coverage(state, 'missed'), ['inconsistent']);
      // The returned HSM still holds the deleted key, alone: listing it trips the availability check.
      const lingering = await cloudhsmCli(state, ['key', 'list', '--filter', 'attr.label=doomed'], {
        env: ALICE,
      });
      assert.match(lingering.stdout, /the key must be available on at least 2 HSMs/);

      const sync = await localhsm(['hsm', 'sync', '--state', state]);
      assert.equal(sync.exitCode, 0, sync.stderr);
      assert.equal(sync.stdout, 'Key sync: 1 key copies stored, 0 keys updated, 1 keys deleted.\n');
      assert.deepEqual(await coverage(state, 'missed'), ['full']);
      assert.deepEqual(await coverage(state, 'doomed'), []);
      // A second pass finds nothing to do: the deleted key does not come back from anywhere.
      const again = await localhsm(['hsm', 'sync', '--state', state]);
      assert.equal(again.stdout, 'Key sync: 0 key copies stored, 0 keys updated, 0 keys deleted.\n');
      assert.deepEqual(await coverage(state, 'doomed'), []);
    });

    it('carries an attribute change and a share made while an HSM was down: coverage full, identical everywhere', async () => {
      const down = manifest.hsms[2]!.id;
      await generateAes(state, 'changed');
      assert.equal((await localhsm(['hsm', 'stop', '--hsm', down, '--state', state])).exitCode, 0);
      await changeWhileDown(state, 'changed');
      assert.equal((await localhsm(['hsm', 'start', '--hsm', down, '--state', state])).exitCode, 0);
      const before = await verboseKey(state, 'changed');
      assert.equal(before.attributes.decrypt, 'inconsistent');
      assert.deepEqual(before['key-info']['shared-users'], [
        { username: 'bob', 'key-coverage': 'inconsistent' },
      ]);

      const sync = await localhsm(['hsm', 'sync', '--state', state]);
      assert.equal(sync.exitCode, 0, sync.stderr);
      assert.equal(sync.stdout, 'Key sync: 0 key copies stored, 1 keys updated, 0 keys deleted.\n');
      // The merged view prints a value (not "inconsistent") only when every HSM holds the same one.
      assertConverged(await verboseKey(state, 'changed'));
      const again = await localhsm(['hsm', 'sync', '--state', state]);
      assert.equal(again.stdout, 'Key sync: 0 key copies stored, 0 keys updated, 0 keys deleted.\n');
    });

    it('no client command catches an HSM up: until a sync pass runs, it stays behind', async () => {
      // The appliance operations refuse a proof not made with the masking key (test/hsm/key-sync.test.ts).
      const down = manifest.hsms[1]!.id;
      assert.equal((await localhsm(['hsm', 'stop', '--hsm', down, '--state', state])).exitCode, 0);
      await generateAes(state, 'behind');
      assert.equal((await localhsm(['hsm', 'start', '--hsm', down, '--state', state])).exitCode, 0);
      assert.deepEqual(await coverage(state, 'behind'), ['inconsistent']);
    });
    it('localhsm hsm add gives the new HSM every key (coverage full on 4 HSMs)', async () => {
      assert.equal((await localhsm(['hsm', 'sync', '--state', state])).exitCode, 0);
      const add = await localhsm(['hsm', 'add', '--state', state]);
      assert.equal(add.exitCode, 0, add.stderr);
      assert.equal(readManifest(state).hsms.length, 4);
      assert.deepEqual(await coverage(state, 'missed'), ['full']);
      assert.deepEqual(await coverage(state, 'behind'), ['full']);
    });
  });

  describe('the nodes sync by themselves', () => {
    const state = path.join(root, 'periodic');
    let manifest: ClusterManifest;
    before(async () => {
      manifest = await upCluster(state, '1');
    });
    after(() => downIfPresent(state));

    it('a key created while an HSM was down reaches it after it returns, without user action', async () => {
      const down = manifest.hsms[0]!.id;
      assert.equal((await localhsm(['hsm', 'stop', '--hsm', down, '--state', state])).exitCode, 0);
      await generateAes(state, 'caught-up');
      const start = await localhsm(['hsm', 'start', '--hsm', down, '--state', state], {
        env: { LOCALHSM_KEY_SYNC_SECONDS: '1' },
      });
      assert.equal(start.exitCode, 0, start.stderr);
      // Bounded poll for the state (the job runs every second here); no timing is asserted.
      let seen: string[] = [];
      for (let i = 0; i < 200; i++) {
        seen = await coverage(state, 'caught-up');
        if (seen[0] === 'full') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(seen, ['full']);
    });

    it('an attribute change and a share made while an HSM was down reach it without user action', async () => {
      const down = manifest.hsms[1]!.id;
      await generateAes(state, 'changed-away');
      assert.equal((await localhsm(['hsm', 'stop', '--hsm', down, '--state', state])).exitCode, 0);
      await changeWhileDown(state, 'changed-away');
      const start = await localhsm(['hsm', 'start', '--hsm', down, '--state', state], {
        env: { LOCALHSM_KEY_SYNC_SECONDS: '1' },
      });
      assert.equal(start.exitCode, 0, start.stderr);
      let key: any;
      for (let i = 0; i < 200; i++) {
        key = await verboseKey(state, 'changed-away');
        if (
          key.attributes.decrypt === true &&
          key['key-info']['shared-users'][0]?.['key-coverage'] === 'full'
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assertConverged(key);
    });
  });

  describe('under cluster mtls enforcement', () => {
    const state = path.join(root, 'mtls');
    const cfg = path.join(state, 'cloudhsm-cli.cfg');
    const mtlsDir = path.join(root, 'mtls-client');
    let manifest: ClusterManifest;
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
      manifest = await upCluster(state, '1');
      assert.equal((await localhsm(['mtls', 'issue-client-cert', '--out', mtlsDir])).exitCode, 0);
      await ok(
        cloudhsmCli(
          state,
          ['cluster', 'mtls', 'register-trust-anchor', '--path', path.join(mtlsDir, 'ca.crt')],
          { env: ADMIN },
        ),
      );
      withClientCert(true);
      await ok(
        cloudhsmCli(state, ['cluster', 'mtls', 'set-enforcement', '--level', 'cluster'], { env: ADMIN }),
      );
    });
    after(() => downIfPresent(state));

    it('the nodes and localhsm hsm sync still catch an HSM up; a client without a certificate is still refused', async () => {
      const down = manifest.hsms[2]!.id;
      assert.equal((await localhsm(['hsm', 'stop', '--hsm', down, '--state', state])).exitCode, 0);
      await generateAes(state, 'enforced');
      await generateAes(state, 'forced');
      const start = await localhsm(['hsm', 'start', '--hsm', down, '--state', state], {
        env: { LOCALHSM_KEY_SYNC_SECONDS: '1' },
      });
      assert.equal(start.exitCode, 0, start.stderr);
      let seen: string[] = [];
      for (let i = 0; i < 200; i++) {
        seen = await coverage(state, 'enforced');
        if (seen[0] === 'full') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(seen, ['full']);
      // The operator's tool, too: a second pass (or the nodes' own) finds every HSM answering, none unreachable.
      const sync = await localhsm(['hsm', 'sync', '--state', state]);
      assert.equal(sync.exitCode, 0, sync.stderr);
      assert.equal(sync.stderr, '');
      assert.deepEqual(await coverage(state, 'forced'), ['full']);

      withClientCert(false);
      const refused = await cloudhsmCli(state, ['key', 'list'], { env: ALICE });
      withClientCert(true);
      assert.deepEqual(JSON.parse(refused.stdout), { error_code: 1, data: 'HSM is disconnected' });
    });
  });
});
