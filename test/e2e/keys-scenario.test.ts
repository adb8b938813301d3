// Issue 16's end-to-end scenario on a 3-process cluster through bin/cloudhsm-cli and bin/localhsm: keys of every
// kind, a shared RSA key used by a second crypto user (the real openssl verifies), an HSM stopped and brought back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readManifest } from '../../src/cluster/state-dir.js';
import { tempDir } from '../helpers/cluster.js';
import { cloudhsmCli, downIfPresent, localhsm, upDetached } from '../helpers/processes.js';

const ADMIN = 'admin:admin-pass-1';
const USERS = { alice: 'alice-pass-1', bob: 'bob-pass-1' } as const;

// Left to the helpers building them (each its own `it` where it lands): a use-key quorum of 2 makes a signature
// need approvals (keys-quorum); a key made while an HSM is down reaches it by server-side sync, and the cluster
// is backed up and restored into a new cluster where the same public key verifies a new signature (keys-sync).
describe('keys end to end on a 3-process cluster', () => {
  const state = tempDir('localhsm-keys-e2e-');
  const work = tempDir('localhsm-keys-e2e-work-');
  const as = async (who: 'admin' | keyof typeof USERS, args: string[]) => {
    const login =
      who === 'admin'
        ? { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: ADMIN }
        : { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: `${who}:${USERS[who]}` };
    const run = await cloudhsmCli(state, args, { env: login });
    return { ...run, json: JSON.parse(run.stdout) as { error_code: number; data: any } };
  };
  const ok = async (who: 'admin' | keyof typeof USERS, args: string[]) => {
    const run = await as(who, args);
    assert.equal(run.json.error_code, 0, `${args.join(' ')}\n${run.stdout}${run.stderr}`);
    assert.equal(run.exitCode, 0);
    return run.json.data;
  };
  const coverage = async (label: string) => {
    const [key] = (await ok('alice', ['key', 'list', '--filter', `attr.label=${label}`, '--verbose']))
      .matched_keys;
    return key['key-info']['cluster-coverage'] as string;
  };
  const LABELS = ['rsa-pub', 'rsa-priv', 'ec-pub', 'ec-priv', 'aes'];

  before(async () => {
    await upDetached(state, 3);
    const activated = await cloudhsmCli(state, ['cluster', 'activate', '--password', 'admin-pass-1']);
    assert.equal(activated.exitCode, 0, activated.stdout + activated.stderr);
    for (const [username, password] of Object.entries(USERS))
      await ok('admin', [
        'user',
        'create',
        '--username',
        username,
        '--role',
        'crypto-user',
        '--password',
        password,
      ]);
  });
  after(async () => {
    await downIfPresent(state);
    fs.rmSync(state, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a crypto user generates an RSA pair, an EC pair and an AES key, each on all 3 HSMs', async () => {
    const rsa = await ok('alice', [
      'key',
      'generate-asymmetric-pair',
      'rsa',
      '--public-exponent',
      '65537',
      '--modulus-size-bits',
      '2048',
      '--public-label',
      'rsa-pub',
      '--private-label',
      'rsa-priv',
      '--public-attributes',
      'verify=true',
      '--private-attributes',
      'sign=true',
    ]);
    const ec = await ok('alice', [
      'key',
      'generate-asymmetric-pair',
      'ec',
      '--curve',
      'secp256r1',
      '--public-label',
      'ec-pub',
      '--private-label',
      'ec-priv',
      '--public-attributes',
      'verify=true',
      '--private-attributes',
      'sign=true',
    ]);
    const aes = await ok('alice', [
      'key',
      'generate-symmetric',
      'aes',
      '--label',
      'aes',
      '--key-length-bytes',
      '32',
    ]);
    for (const key of [rsa.public_key, rsa.private_key, ec.public_key, ec.private_key, aes.key])
      assert.deepEqual(key['key-info']['key-owners'], [{ username: 'alice', 'key-coverage': 'full' }]);
    assert.equal(rsa.private_key.attributes['modulus-size-bits'], 2048);
    assert.equal(ec.private_key.attributes.curve, 'secp256r1');
    assert.equal(aes.key.attributes['key-length-bytes'], 32);
    const list = await ok('alice', ['key', 'list', '--verbose']);
    assert.equal(list.total_key_count, 5);
    for (const key of list.matched_keys) assert.equal(key['key-info']['cluster-coverage'], 'full');
  });

  it('the owner shares the RSA key with a second crypto user, who signs with it; openssl verifies', async () => {
    await ok('alice', [
      'key',
      'share',
      '--filter',
      'attr.label=rsa-priv',
      '--username',
      'bob',
      '--role',
      'crypto-user',
    ]);
    const pem = path.join(work, 'rsa-pub.pem');
    await ok('alice', [
      'key',
      'generate-file',
      '--encoding',
      'pem',
      '--path',
      pem,
      '--filter',
      'attr.label=rsa-pub',
    ]);
    const data = path.join(work, 'data.txt');
    fs.writeFileSync(data, 'signed by bob with alice’s key\n');
    const signed = await ok('bob', [
      'crypto',
      'sign',
      'rsa-pkcs',
      '--key-filter',
      'attr.label=rsa-priv',
      '--hash-function',
      'sha256',
      '--data-path',
      data,
    ]);
    const sig = path.join(work, 'data.sig');
    fs.writeFileSync(sig, Buffer.from(signed.signature, 'base64'));
    const verified = execFileSync('openssl', ['dgst', '-sha256', '-verify', pem, '-signature', sig, data], {
      encoding: 'utf8',
    });
    assert.equal(verified.trim(), 'Verified OK');
    // Bob uses the key but does not manage it, and sees no key of alice's that is not shared or public.
    const refused = await as('bob', ['key', 'delete', '--filter', 'attr.label=rsa-priv']);
    assert.equal(refused.json.error_code, 1);
    assert.equal(refused.exitCode, 1);
    const bobs = await ok('bob', ['key', 'list']);
    assert.deepEqual(bobs.matched_keys.map((k: any) => k.attributes.label).sort(), [
      'ec-pub',
      'rsa-priv',
      'rsa-pub',
    ]);
  });

  it('one HSM is stopped: coverage is inconsistent; it is brought back and coverage is full again', async () => {
    const stopped = readManifest(state).hsms[2]!.id;
    const stop = await localhsm(['hsm', 'stop', '--hsm', stopped, '--state', state]);
    assert.equal(stop.exitCode, 0, stop.stderr);
    for (const label of LABELS) assert.equal(await coverage(label), 'inconsistent', label);
    // Two HSMs still hold every key: the availability check lets the shared user sign.
    await ok('bob', [
      'crypto',
      'sign',
      'rsa-pkcs',
      '--key-filter',
      'attr.label=rsa-priv',
      '--hash-function',
      'sha256',
      '--data',
      'YWJj',
    ]);
    const start = await localhsm(['hsm', 'start', '--hsm', stopped, '--state', state]);
    assert.equal(start.exitCode, 0, start.stderr);
    for (const label of LABELS) assert.equal(await coverage(label), 'full', label);
  });
});
