// The library API's sessions: cluster.login() generates, lists, signs and verifies in this process, several calls in flight.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ClusterSession,
  HsmError,
  type KeyObject,
  type LocalCluster,
  startCluster,
} from '../../src/index.js';
import { UsageError } from '../../src/command/parse.js';
import { tempDir } from '../helpers/cluster.js';

const SEED = {
  users: [
    { username: 'admin', role: 'admin' as const, password: 'admin-pass-1' },
    { username: 'alice', role: 'crypto-user' as const, password: 'alice-pass-1' },
    { username: 'bob', role: 'crypto-user' as const, password: 'bob-pass-1' },
  ],
};

describe('cluster.login(): key and crypto calls without cloudhsm-cli', () => {
  let cluster: LocalCluster;
  let alice: ClusterSession;
  const dir = tempDir('localhsm-session-');
  /** The public key as `key generate-file --encoding pem` writes it, read with node:crypto. */
  const publicKeyOf = async (session: ClusterSession, label: string) => {
    const file = path.join(dir, `${label}.pem`);
    await session.run([
      'key',
      'generate-file',
      '--encoding',
      'pem',
      '--path',
      file,
      '--filter',
      `attr.label=${label}`,
    ]);
    return crypto.createPublicKey(fs.readFileSync(file));
  };

  before(async () => {
    cluster = await startCluster({ hsms: 3, seed: SEED });
    alice = await cluster.login({ username: 'alice', password: 'alice-pass-1' });
  });
  after(() => cluster?.stop());

  it('generates RSA and EC pairs and an AES key on every HSM, with the key objects cloudhsm-cli prints', async () => {
    const rsa = await alice.generateKeyPair({
      type: 'rsa',
      modulusSizeBits: 2048,
      publicLabel: 'rsa-pub',
      privateLabel: 'rsa-priv',
      privateAttributes: { sign: true },
      publicAttributes: { verify: true },
    });
    assert.equal(rsa.private_key['key-info']['cluster-coverage'], 'full');
    assert.deepEqual(rsa.private_key['key-info']['key-owners'], [
      { username: 'alice', 'key-coverage': 'full' },
    ]);
    assert.equal(rsa.private_key.attributes.label, 'rsa-priv');
    assert.equal(rsa.private_key.attributes.sign, true);
    assert.equal(rsa.public_key.attributes['modulus-size-bits'], 2048);
    assert.equal(rsa.public_key.attributes['public-exponent'], '0x010001');
    const ec = await alice.generateKeyPair({
      type: 'ec',
      curve: 'prime256v1',
      publicLabel: 'ec-pub',
      privateLabel: 'ec-priv',
      privateAttributes: { sign: true },
    });
    assert.equal(ec.private_key.attributes['key-type'], 'ec');
    const { key } = await alice.generateSymmetric({ type: 'aes', label: 'aes', keyLengthBytes: 32 });
    assert.equal(key.attributes['key-type'], 'aes');
    assert.equal(key.attributes['value-len'] ?? key.attributes['key-length-bytes'], 32);
  });

  it('creates keys concurrently: each on every HSM, each its own reference', async () => {
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        alice.generateSymmetric({ type: 'generic-secret', label: `burst-${i}`, keyLengthBytes: 16 }),
      ),
    );
    assert.equal(new Set(created.map(({ key }) => key['key-reference'])).size, 6);
    for (const { key } of created) assert.equal(key['key-info']['cluster-coverage'], 'full');
    const listed = await alice.listKeys({
      filter: 'attr.key-type=generic-secret',
      maxItems: 10,
      verbose: true,
    });
    assert.equal(listed.total_key_count, 6);
    for (const key of listed.matched_keys as KeyObject[])
      assert.equal(key['key-info']['cluster-coverage'], 'full');
    for (const { key } of created)
      await alice.run(['key', 'delete', '--filter', `key-reference=${key['key-reference']}`]);
  });

  it('lists keys page by page and by label', async () => {
    const first = await alice.listKeys({ maxItems: 2 });
    assert.equal(first.total_key_count, 5);
    assert.equal(first.returned_key_count, 2);
    assert.equal(first.next_token, '2');
    const rest = await alice.listKeys({ maxItems: 10, startingToken: first.next_token });
    assert.equal(rest.returned_key_count, 3);
    assert.equal(rest.next_token, undefined);
    const labels = [...first.matched_keys, ...rest.matched_keys].map((k) => k.attributes.label);
    assert.deepEqual(labels, ['rsa-pub', 'rsa-priv', 'ec-pub', 'ec-priv', 'aes']);
    const one = await alice.listKeys({ filter: 'attr.label=ec-priv', verbose: true });
    assert.equal(one.total_key_count, 1);
    assert.equal((one.matched_keys[0] as KeyObject).attributes.curve, 'prime256v1');
  });

  it('signs with several requests in flight; node:crypto verifies every signature with the exported public key', async () => {
    const rsaPublic = await publicKeyOf(alice, 'rsa-pub');
    const ecPublic = await publicKeyOf(alice, 'ec-pub');
    const messages = Array.from({ length: 24 }, (_, i) => `message ${i}`);
    const signed = await Promise.all(
      messages.map((data, i) =>
        alice.sign({
          mechanism: (['rsa-pkcs', 'rsa-pkcs-pss', 'ecdsa'] as const)[i % 3]!,
          keyFilter: i % 3 === 2 ? 'attr.label=ec-priv' : 'attr.label=rsa-priv',
          hashFunction: 'sha256',
          data,
          ...(i % 3 === 1 ? { mgf: 'mgf1-sha256', saltLength: 32 } : {}),
        }),
      ),
    );
    signed.forEach(({ signature }, i) => {
      const bytes = Buffer.from(signature, 'base64');
      const data = Buffer.from(messages[i]!);
      const ok =
        i % 3 === 0
          ? crypto.verify('sha256', data, rsaPublic, bytes)
          : i % 3 === 1
            ? crypto.verify(
                'sha256',
                data,
                { key: rsaPublic, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
                bytes,
              )
            : // ECDSA signatures are r‖s (IEEE P1363), as CloudHSM writes them.
              crypto.verify('sha256', data, { key: ecPublic, dsaEncoding: 'ieee-p1363' }, bytes);
      assert.ok(ok, `signature ${i} verifies`);
    });
    assert.equal(new Set(signed.map((s) => s['key-reference'])).size, 2);
  });

  it('findKey(): a handle signs with one request per signature; the HSM still refuses a key no longer usable', async () => {
    const pair = await alice.generateKeyPair({
      type: 'ec',
      curve: 'prime256v1',
      publicLabel: 'handle-pub',
      privateLabel: 'handle-priv',
      privateAttributes: { sign: true },
      shareCryptoUsers: ['bob'],
    });
    const ecPublic = await publicKeyOf(alice, 'handle-pub');
    const bob = await cluster.login({ username: 'bob', password: 'bob-pass-1' });
    try {
      const handle = await bob.findKey('attr.label=handle-priv');
      assert.equal(handle['key-reference'], pair.private_key['key-reference']);
      const request = { mechanism: 'ecdsa', keyFilter: handle, hashFunction: 'sha256' } as const;
      const signed = await Promise.all(
        ['m1', 'm2', 'm3', 'm4'].map((data) => bob.sign({ ...request, data })),
      );
      signed.forEach(({ signature, 'key-reference': ref }, i) => {
        assert.equal(ref, handle['key-reference']);
        const bytes = Buffer.from(signature, 'base64');
        assert.ok(
          crypto.verify(
            'sha256',
            Buffer.from(`m${i + 1}`),
            { key: ecPublic, dsaEncoding: 'ieee-p1363' },
            bytes,
          ),
        );
      });
      // The handle skips the lookup, not the HSM's checks: unshared, bob's handle signs no more.
      await alice.run([
        'key',
        'unshare',
        '--filter',
        'attr.label=handle-priv',
        '--username',
        'bob',
        '--role',
        'crypto-user',
      ]);
      await assert.rejects(bob.sign({ ...request, data: 'after unshare' }), (error: unknown) => {
        assert.ok(error instanceof HsmError, String(error));
        return true;
      });
      await assert.rejects(bob.findKey('attr.label=handle-priv'), HsmError);
    } finally {
      await bob.logout();
    }
  });

  it('verifies signatures made outside, and refuses a signature over other data', async () => {
    const file = path.join(dir, 'outside.pem');
    const outside = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    fs.writeFileSync(file, outside.publicKey.export({ type: 'spki', format: 'pem' }));
    await alice.run([
      'key',
      'import',
      'pem',
      '--path',
      file,
      '--label',
      'outside',
      '--key-type-class',
      'ec-public',
      '--attributes',
      'verify=true',
    ]);
    const signature = crypto.sign('sha256', Buffer.from('hello'), {
      key: outside.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const options = { mechanism: 'ecdsa', keyFilter: 'attr.label=outside', hashFunction: 'sha256' } as const;
    assert.deepEqual(await alice.verify({ ...options, data: 'hello', signature }), {
      message: 'Signature verified successfully',
    });
    await assert.rejects(
      alice.verify({ ...options, data: 'hello!', signature: signature.toString('base64') }),
      (e: unknown) => e instanceof HsmError && e.code === 'ERR_SIGNATURE_VERIFICATION',
    );
  });

  it('each session is its user: keys stay private until shared, session keys end with the session', async () => {
    const bob = await cluster.login({ username: 'bob', password: 'bob-pass-1' });
    const sign = () =>
      bob.sign({
        mechanism: 'rsa-pkcs',
        keyFilter: 'attr.label=rsa-priv',
        hashFunction: 'sha256',
        data: 'x',
      });
    await assert.rejects(sign(), (e: unknown) => e instanceof HsmError && e.code === 'ERR_KEY_SELECTION');
    await alice.run([
      'key',
      'share',
      '--filter',
      'attr.label=rsa-priv',
      '--username',
      'bob',
      '--role',
      'crypto-user',
    ]);
    assert.equal(
      (await sign())['key-reference'],
      (await alice.listKeys({ filter: 'attr.label=rsa-priv' })).matched_keys[0]!['key-reference'],
    );
    await bob.generateSymmetric({ type: 'aes', label: 'bob-session', keyLengthBytes: 16, session: true });
    assert.equal((await bob.listKeys({ filter: 'attr.label=bob-session' })).total_key_count, 1);
    await bob.logout();
    const again = await cluster.login({ username: 'bob', password: 'bob-pass-1' });
    assert.equal((await again.listKeys({ filter: 'attr.label=bob-session' })).total_key_count, 0);
    await again.logout();
  });

  it('refuses a wrong password, a command that would prompt, and a usage error, as errors to catch', async () => {
    await assert.rejects(
      cluster.login({ username: 'alice', password: 'wrong-pass-1' }),
      (e: unknown) => e instanceof HsmError,
    );
    await assert.rejects(
      alice.run(['user', 'change-password', '--username', 'alice', '--role', 'crypto-user']),
      (e: unknown) => e instanceof HsmError && e.code === 'ERR_INPUT_CLOSED',
    );
    await assert.rejects(alice.run(['key', 'lsit']), UsageError);
  });
});
