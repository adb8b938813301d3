// Issue 16's end-to-end scenario on a 3-process cluster through bin/cloudhsm-cli and bin/localhsm: keys of every
// kind, a shared RSA key used by a second crypto user (the real openssl verifies), a use-key quorum of 2 whose
// approvals openssl signs, an HSM stopped and brought back, a key made while one was down reaching it by server-side
// sync, and a backup restored into a new cluster where the same public key verifies a new signature.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { openCliProcess } from '../helpers/cli-process-session.js';
import { tempDir } from '../helpers/cluster.js';
import { cloudhsmCli, downIfPresent, localhsm } from '../helpers/processes.js';

const ADMIN = 'admin:admin-pass-1';
const USERS = { alice: 'alice-pass-1', bob: 'bob-pass-1' } as const;
/** Every node's server-side sync runs each second here (default 30 s), so the catch-up is seen quickly. */
const SYNC_ENV = { LOCALHSM_KEY_SYNC_SECONDS: '1' };

/** The AWS guide's signing recipe for a token: `openssl pkeyutl -sign -pkeyopt digest:sha256` of the raw bytes. */
function opensslSignToken(dir: string, keyFile: string, tokenBase64: string): string {
  const bin = path.join(dir, 'token.bin');
  const sig = path.join(dir, 'token.sig');
  fs.writeFileSync(bin, Buffer.from(tokenBase64, 'base64'));
  execFileSync('openssl', [
    ...['pkeyutl', '-sign', '-inkey', keyFile, '-pkeyopt', 'digest:sha256'],
    ...['-keyform', 'PEM', '-in', bin, '-out', sig],
  ]);
  return fs.readFileSync(sig).toString('base64');
}

function opensslVerify(pem: string, sig: string, data: string): string {
  return execFileSync('openssl', ['dgst', '-sha256', '-verify', pem, '-signature', sig, data], {
    encoding: 'utf8',
  }).trim();
}

describe('keys end to end on a 3-process cluster', () => {
  const state = tempDir('localhsm-keys-e2e-');
  const work = tempDir('localhsm-keys-e2e-work-');
  /** The cluster restored from a backup of `state` (last test). */
  const restored = path.join(work, 'restored');
  const as = async (who: 'admin' | keyof typeof USERS, args: string[], dir = state) => {
    const login =
      who === 'admin'
        ? { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: ADMIN }
        : { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: `${who}:${USERS[who]}` };
    const run = await cloudhsmCli(dir, args, { env: login });
    return { ...run, json: JSON.parse(run.stdout) as { error_code: number; data: any } };
  };
  const ok = async (who: 'admin' | keyof typeof USERS, args: string[], dir = state) => {
    const run = await as(who, args, dir);
    assert.equal(run.json.error_code, 0, `${args.join(' ')}\n${run.stdout}${run.stderr}`);
    assert.equal(run.exitCode, 0);
    return run.json.data;
  };
  const coverage = async (label: string, dir = state) => {
    const [key] = (await ok('alice', ['key', 'list', '--filter', `attr.label=${label}`, '--verbose'], dir))
      .matched_keys;
    return key['key-info']['cluster-coverage'] as string;
  };
  const LABELS = ['rsa-pub', 'rsa-priv', 'ec-pub', 'ec-priv', 'aes'];

  before(async () => {
    const up = await localhsm(
      ['up', '--hsms', '3', '--kdf', 'fast', '--base-port', '0', '--detach', '--state', state],
      { env: SYNC_ENV },
    );
    assert.equal(up.exitCode, 0, up.stderr);
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
    await downIfPresent(restored);
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

  it('the owner sets a use-key quorum of 2: a signature needs the approvals of both users, signed with openssl', async () => {
    // Each crypto user makes a quorum key with openssl and registers it (a registration token is bound to no
    // session, so it can be signed between two single commands, as the guide's set-up does).
    const quorumKey = (who: string) => path.join(work, `${who}-quorum.key`);
    for (const who of ['alice', 'bob'] as const) {
      execFileSync('openssl', ['genrsa', '-out', quorumKey(who), '2048'], { stdio: 'ignore' });
      const pub = path.join(work, `${who}-quorum.pub`);
      execFileSync('openssl', ['rsa', '-in', quorumKey(who), '-pubout', '-out', pub], { stdio: 'ignore' });
      const registration = path.join(work, `${who}-registration.json`);
      await ok(who, [
        'quorum',
        'token-sign',
        'generate',
        '--service',
        'registration',
        '--token',
        registration,
      ]);
      const file = JSON.parse(fs.readFileSync(registration, 'utf8'));
      for (const token of file.tokens) token.signed = opensslSignToken(work, quorumKey(who), token.unsigned);
      fs.writeFileSync(registration, JSON.stringify(file, null, 2));
      assert.deepEqual(
        await ok(who, [
          ...['user', 'change-quorum', 'token-sign', 'register'],
          ...['--public-key', pub, '--signed-token', registration],
        ]),
        { username: who, role: 'crypto-user' },
      );
    }
    // Quorum values live on the key and are set when it is made (spec §13: no command changes them later), so
    // the owner makes the guarded signing key with both values 2, shared with bob (owner + 1 shared user = 2).
    const pair = await ok('alice', [
      ...[
        'key',
        'generate-asymmetric-pair',
        'rsa',
        '--public-exponent',
        '65537',
        '--modulus-size-bits',
        '2048',
      ],
      ...['--public-label', 'q-pub', '--private-label', 'q-priv'],
      ...['--public-attributes', 'verify=true', '--private-attributes', 'sign=true'],
      ...['--share-crypto-users', 'bob'],
      ...['--manage-private-key-quorum-value', '2', '--use-private-key-quorum-value', '2'],
    ]);
    assert.deepEqual(pair.private_key['key-info']['key-quorum-values'], {
      'manage-key-quorum-value': 2,
      'use-key-quorum-value': 2,
    });
    assert.deepEqual(pair.private_key['key-info']['shared-users'], [
      { username: 'bob', 'key-coverage': 'full' },
    ]);
    const pem = path.join(work, 'q-pub.pem');
    await ok('alice', [
      'key',
      'generate-file',
      '--encoding',
      'pem',
      '--path',
      pem,
      '--filter',
      'attr.label=q-pub',
    ]);
    const data = path.join(work, 'approved.txt');
    fs.writeFileSync(data, 'approved by alice and bob\n');
    const sign = `crypto sign rsa-pkcs --key-filter attr.label=q-priv --hash-function sha256 --data-path ${data}`;
    const unapproved = await as('bob', sign.split(' '));
    assert.deepEqual(unapproved.json, { error_code: 1, data: 'Quorum Failed' });
    assert.equal(unapproved.exitCode, 1);

    // The token belongs to bob's login session: generate, approve and use it in one interactive process.
    const session = openCliProcess(state);
    try {
      const run = async (line: string) => {
        const out = await session.run(line);
        assert.equal(out.error_code, 0, `${line}: ${JSON.stringify(out.data)}`);
        return out.data;
      };
      await run(`login --username bob --role crypto-user --password ${USERS.bob}`);
      const approval = path.join(work, 'key-usage.json');
      await run(
        `quorum token-sign generate --service key-usage --token ${approval} --filter attr.label=q-priv`,
      );
      const approve = (who: 'alice' | 'bob') => {
        const file = JSON.parse(fs.readFileSync(approval, 'utf8'));
        assert.equal(file.key_reference, pair.private_key['key-reference']);
        file.signatures.push({
          username: who,
          signature: opensslSignToken(work, quorumKey(who), file.token),
        });
        fs.writeFileSync(approval, JSON.stringify(file, null, 2));
      };
      approve('alice');
      assert.deepEqual(await session.run(`${sign} --approval ${approval}`), {
        error_code: 1,
        data: 'Too few quorum approvals: currently 1 approvals, but 2 approvals required',
      });
      approve('bob');
      const signed = await run(`${sign} --approval ${approval}`);
      const sig = path.join(work, 'approved.sig');
      fs.writeFileSync(sig, Buffer.from(signed.signature, 'base64'));
      assert.equal(opensslVerify(pem, sig, data), 'Verified OK');
      // Single use: the same approvals do not sign twice.
      assert.deepEqual(await session.run(`${sign} --approval ${approval}`), {
        error_code: 1,
        data: 'Invalid username-signature pair for quorum authorization',
      });
    } finally {
      assert.equal(await session.close(), 0);
    }
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
    const start = await localhsm(['hsm', 'start', '--hsm', stopped, '--state', state], { env: SYNC_ENV });
    assert.equal(start.exitCode, 0, start.stderr);
    for (const label of LABELS) assert.equal(await coverage(label), 'full', label);
  });

  it('a key made while an HSM is down reaches it after it returns, by server-side sync, without user action', async () => {
    const down = readManifest(state).hsms[0]!.id;
    assert.equal((await localhsm(['hsm', 'stop', '--hsm', down, '--state', state])).exitCode, 0);
    // The two HSMs left meet the availability check, so the key is made on them alone.
    await ok('alice', [
      'key',
      'generate-symmetric',
      'aes',
      '--label',
      'made-while-down',
      '--key-length-bytes',
      '16',
    ]);
    assert.equal(await coverage('made-while-down'), 'inconsistent');
    const start = await localhsm(['hsm', 'start', '--hsm', down, '--state', state], { env: SYNC_ENV });
    assert.equal(start.exitCode, 0, start.stderr);
    // Bounded poll for the state the nodes' own sync job reaches (every second here); no timing is asserted.
    let seen = '';
    for (let i = 0; i < 300 && seen !== 'full'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      seen = await coverage('made-while-down');
    }
    assert.equal(seen, 'full', 'the returned HSM never received the key made while it was down');
    for (const label of LABELS) assert.equal(await coverage(label), 'full', label);
  });

  it('a backup restored into a new cluster signs with the same key; the public key exported before verifies it', async () => {
    const backup = path.join(work, 'cluster.bak');
    const create = await localhsm(['backup', 'create', '--out', backup, '--state', state]);
    assert.equal(create.exitCode, 0, create.stderr);
    // Keys travel sealed: no private key material in clear in the backup file.
    assert.ok(!fs.readFileSync(backup).includes('BEGIN'), 'no PEM in the backup');
    const restore = await localhsm([
      ...['backup', 'restore', backup, '--state', restored, '--hsms', '3', '--base-port', '0'],
      ...['--key-file', paths(state).backupKey],
    ]);
    assert.equal(restore.exitCode, 0, restore.stderr);
    const up = await localhsm(['up', '--detach', '--state', restored]);
    assert.equal(up.exitCode, 0, up.stderr);
    assert.notEqual(readManifest(restored).clusterId, readManifest(state).clusterId);

    const [original] = (await ok('alice', ['key', 'list', '--filter', 'attr.label=rsa-priv'])).matched_keys;
    const [copy] = (
      await ok('alice', ['key', 'list', '--filter', 'attr.label=rsa-priv', '--verbose'], restored)
    ).matched_keys;
    assert.equal(copy['key-reference'], original['key-reference']);
    assert.equal(copy['key-info']['cluster-coverage'], 'full');
    const data = path.join(work, 'after-restore.txt');
    fs.writeFileSync(data, 'signed on the restored cluster\n');
    const signed = await ok(
      'bob',
      [
        'crypto',
        'sign',
        'rsa-pkcs',
        '--key-filter',
        'attr.label=rsa-priv',
        '--hash-function',
        'sha256',
      ].concat(['--data-path', data]),
      restored,
    );
    const sig = path.join(work, 'after-restore.sig');
    fs.writeFileSync(sig, Buffer.from(signed.signature, 'base64'));
    // rsa-pub.pem was written by `key generate-file` on the original cluster (second test).
    assert.equal(opensslVerify(path.join(work, 'rsa-pub.pem'), sig, data), 'Verified OK');
  });
});
