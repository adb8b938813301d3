// key replicate with real processes: a 2-HSM cluster and its 3-HSM clone (localhsm backup restore) in one config.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseRef } from '../../src/hsm/keys/record.js';
import { type ClusterManifest, paths, readManifest } from '../../src/cluster/state-dir.js';
import { SqliteStore } from '../../src/hsm/store/sqlite.js';
import { tempDir } from '../helpers/cluster.js';
import { cloudhsmCli, downIfPresent, localhsm } from '../helpers/processes.js';

const ADMIN_PASSWORD = 'admin-pass-1';
const PASSWORDS: Record<string, string> = { alice: 'alice-pass-1', bob: 'bob-pass-1' };
/** No server-side sync pass during the suite: the desynchronised HSMs below must stay as this test leaves them. */
const NO_SYNC = { LOCALHSM_KEY_SYNC_SECONDS: '86400' };
const as = (user: string, destinationUser = user) => ({
  CLOUDHSM_ROLE: user === 'admin' ? 'admin' : 'crypto-user',
  CLOUDHSM_PIN: `${user}:${PASSWORDS[user] ?? ADMIN_PASSWORD}`,
  DESTINATION_CLOUDHSM_ROLE: destinationUser === 'admin' ? 'admin' : 'crypto-user',
  DESTINATION_CLOUDHSM_PIN: `${destinationUser}:${PASSWORDS[destinationUser] ?? ADMIN_PASSWORD}`,
});

async function ok(run: Promise<{ exitCode: number; stdout: string; stderr: string }>) {
  const r = await run;
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  return r;
}

describe('key replicate between a cluster and its clone (real processes)', () => {
  let root: string;
  let a: string;
  let b: string;
  let A: ClusterManifest;
  let B: ClusterManifest;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
    cloudhsmCli(a, args, { env, ...(input !== undefined && { input }) });
  /** A command on one cluster as `user` (single-command mode). */
  const on = async (clusterId: string, user: string, args: string[]) => {
    const run = await cli([...args, '--cluster-id', clusterId], {
      CLOUDHSM_ROLE: user === 'admin' ? 'admin' : 'crypto-user',
      CLOUDHSM_PIN: `${user}:${PASSWORDS[user] ?? ADMIN_PASSWORD}`,
    });
    assert.equal(run.exitCode, 0, `${args.join(' ')}\n${run.stdout}${run.stderr}`);
    return JSON.parse(run.stdout).data;
  };
  const replicate = (
    filter: string,
    env: NodeJS.ProcessEnv,
    source = A.clusterId,
    destination = B.clusterId,
  ) =>
    cli(
      [
        'key',
        'replicate',
        '--filter',
        filter,
        '--source-cluster-id',
        source,
        '--destination-cluster-id',
        destination,
      ],
      env,
    );
  /** Rewrites one key on one stopped HSM's database (what a missed change would leave), then starts it again. */
  const desynchronise = async (
    state: string,
    hsm: string,
    ref: string,
    attributes: Record<string, boolean>,
  ) => {
    await ok(localhsm(['hsm', 'stop', '--hsm', hsm, '--state', state]));
    const store = new SqliteStore(paths(state).hsm(hsm).db);
    try {
      const key = store.getKey(parseRef(ref)!)!;
      store.updateKey({ ...key, attributes: { ...key.attributes, ...attributes } });
    } finally {
      store.close();
    }
    await ok(localhsm(['hsm', 'start', '--hsm', hsm, '--state', state], { env: NO_SYNC }));
  };

  before(async () => {
    root = tempDir('localhsm-key-replicate-');
    [a, b] = ['a', 'b'].map((n) => path.join(root, n)) as [string, string];
    await ok(
      localhsm(['up', '--hsms', '2', '--kdf', 'fast', '--base-port', '0', '--detach', '--state', a], {
        env: NO_SYNC,
      }),
    );
    await ok(cloudhsmCli(a, ['cluster', 'activate', '--password', ADMIN_PASSWORD]));
    for (const username of ['alice', 'bob'])
      await ok(
        cli(
          [
            'user',
            'create',
            '--username',
            username,
            '--role',
            'crypto-user',
            '--password',
            PASSWORDS[username]!,
          ],
          { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` },
        ),
      );
    const backup = path.join(root, 'a.bak');
    await ok(localhsm(['backup', 'create', '--out', backup, '--state', a]));
    await ok(
      localhsm([
        ...['backup', 'restore', backup, '--state', b, '--hsms', '3', '--base-port', '0'],
        ...['--key-file', paths(a).backupKey],
      ]),
    );
    await ok(localhsm(['up', '--detach', '--state', b], { env: NO_SYNC }));
    await ok(localhsm(['config', 'add-cluster', '--from', b, '--state', a]));
    [A, B] = [a, b].map(readManifest) as [ClusterManifest, ClusterManifest];
  });
  after(async () => {
    for (const state of [a, b]) await downIfPresent(state);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('KR-1: the owner replicates an EC private key; the copy keeps reference, owner, shares and attributes, and signs on the clone', async () => {
    const pair = await on(A.clusterId, 'alice', [
      ...['key', 'generate-asymmetric-pair', 'ec', '--curve', 'prime256v1'],
      ...['--public-label', 'ec-pub', '--private-label', 'example-key', '--share-crypto-users', 'bob'],
      ...['--public-attributes', 'verify=true', '--private-attributes', 'sign=true'],
    ]);
    const run = await ok(replicate('attr.label=example-key', as('alice')));
    const out = JSON.parse(run.stdout);
    assert.equal(out.data.message, 'Successfully replicated key');
    const source = pair.private_key;
    assert.deepEqual(out.data.key, {
      ...source,
      'key-info': { ...source['key-info'], 'cluster-coverage': 'full' },
    });
    assert.equal(out.data.key['key-info']['key-owners'][0].username, 'alice');
    assert.deepEqual(out.data.key['key-info']['shared-users'], [{ username: 'bob', 'key-coverage': 'full' }]);
    // The same private key: bob (shared) signs on the clone, the source's public key verifies it.
    const signed = await on(B.clusterId, 'bob', [
      ...['crypto', 'sign', 'ecdsa', '--key-filter', 'attr.label=example-key', '--hash-function', 'sha256'],
      ...['--data', 'YWJj'],
    ]);
    const verified = await on(A.clusterId, 'alice', [
      ...['crypto', 'verify', 'ecdsa', '--key-filter', 'attr.label=ec-pub', '--hash-function', 'sha256'],
      ...['--data', 'YWJj', '--signature', signed.signature],
    ]);
    assert.equal(verified.message, 'Signature verified successfully');
    // Re-running is a success that changes nothing (same reference, identical content).
    const again = await ok(replicate('attr.label=example-key', as('alice')));
    assert.deepEqual(JSON.parse(again.stdout).data.key, out.data.key);
  });

  it('interactive: logged in to both clusters with login --cluster-id; an admin may replicate', async () => {
    await on(A.clusterId, 'alice', [
      'key',
      'generate-symmetric',
      'aes',
      '--label',
      'by-admin',
      '--key-length-bytes',
      '16',
    ]);
    const script = [
      `login --username admin --role admin --password ${ADMIN_PASSWORD} --cluster-id ${A.clusterId}`,
      `login --username admin --role admin --password ${ADMIN_PASSWORD} --cluster-id ${B.clusterId}`,
      `key replicate --filter attr.label=by-admin --source-cluster-id ${A.clusterId} --destination-cluster-id ${B.clusterId}`,
      'quit',
      '',
    ].join('\n');
    const run = await ok(cli(['interactive'], {}, script));
    assert.ok(run.stdout.includes('"message": "Successfully replicated key"'), run.stdout);
    const listed = await on(B.clusterId, 'alice', [
      'key',
      'list',
      '--filter',
      'attr.label=by-admin',
      '--verbose',
    ]);
    assert.equal(listed.matched_keys[0]['key-info']['key-owners'][0].username, 'alice');
  });

  it('a crypto user who only shares the key may not replicate it', async () => {
    await on(A.clusterId, 'alice', [
      ...['key', 'generate-symmetric', 'aes', '--label', 'shared-only', '--key-length-bytes', '16'],
      ...['--share-crypto-users', 'bob'],
    ]);
    const run = await replicate('attr.label=shared-only', as('bob'));
    assert.equal(run.exitCode, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error_code: 1,
      data: 'Only the owner of the key can perform this operation',
    });
    const listed = await on(B.clusterId, 'alice', ['key', 'list', '--filter', 'attr.label=shared-only']);
    assert.equal(listed.total_key_count, 0);
  });

  it('KR-2/KR-3: a key whose HSMs disagree on the source lists as inconsistent and is not replicated', async () => {
    const made = await on(A.clusterId, 'alice', [
      ...['key', 'generate-symmetric', 'aes', '--label', 'example-desynchronized-key-label'],
      ...['--key-length-bytes', '16', '--attributes', 'sign=true'],
    ]);
    const ref = made.key['key-reference'];
    await desynchronise(a, A.hsms[1]!.id, ref, { sign: false });
    const listed = await on(A.clusterId, 'alice', [
      ...['key', 'list', '--filter', 'attr.label=example-desynchronized-key-label', '--verbose'],
    ]);
    assert.equal(listed.matched_keys[0].attributes.sign, 'inconsistent');
    const run = await replicate('attr.label=example-desynchronized-key-label', as('alice'));
    assert.equal(run.exitCode, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error_code: 1,
      data: 'The selected key is not synchronized throughout the cluster',
    });
  });

  it('KR-4: the same reference with different content on one destination HSM: failed on 1 of 3 connections', async () => {
    const made = await on(A.clusterId, 'alice', [
      ...['key', 'generate-symmetric', 'aes', '--label', 'kr4', '--key-length-bytes', '16'],
    ]);
    const ref = made.key['key-reference'];
    await ok(replicate('attr.label=kr4', as('alice')));
    await desynchronise(b, B.hsms[2]!.id, ref, { verify: false });
    const run = await replicate('attr.label=kr4', as('alice'));
    assert.equal(run.exitCode, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error_code: 1,
      data: 'Key replicate failed on 1 of 3 connections',
    });
    assert.match(
      run.stderr,
      /refused: Key 0x[0-9a-f]{16} already exists on this HSM with different contents/,
    );
  });

  it('refuses without a destination login, and the same cluster as both ends', async () => {
    const { DESTINATION_CLOUDHSM_ROLE: _r, DESTINATION_CLOUDHSM_PIN: _p, ...sourceOnly } = as('alice');
    const none = await replicate('attr.label=kr4', sourceOnly);
    assert.equal(none.exitCode, 1);
    const same = await replicate('attr.label=kr4', as('alice'), A.clusterId, A.clusterId);
    assert.equal(same.exitCode, 1);
    assert.equal(
      JSON.parse(same.stdout).data,
      'The source and destination clusters must be different clusters',
    );
  });
});
