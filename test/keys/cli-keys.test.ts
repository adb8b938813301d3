// cloudhsm-cli key and crypto commands end to end on a 3-HSM cluster over TLS: generate, list, share, sign
// (verified by the real openssl), verify openssl's signatures, coverage with an HSM stopped, availability check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type TestCluster, startActivatedCluster, tempDir } from '../helpers/cluster.js';

const PASS = 'crypto-pass-1';

describe('key and crypto commands on a 3-HSM cluster', () => {
  let c: TestCluster;
  const work = tempDir('localhsm-keys-cli-');
  const alice = (args: string[]) => c.as('crypto-user', 'alice', PASS, args);
  const bob = (args: string[]) => c.as('crypto-user', 'bob', PASS, args);
  const ok = async (
    run: Promise<{ json: { error_code: number; data: any } | undefined; stdout: string; stderr: string }>,
  ) => {
    const r = await run;
    assert.equal(r.json?.error_code, 0, r.stdout + r.stderr);
    return r.json!.data;
  };

  before(async () => {
    c = await startActivatedCluster({ hsms: 3 });
    for (const u of ['alice', 'bob'])
      await ok(
        c.as('admin', 'admin', ADMIN_PASSWORD, [
          'user',
          'create',
          '--username',
          u,
          '--role',
          'crypto-user',
          '--password',
          PASS,
        ]),
      );
  });
  after(async () => {
    await c.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('generates an RSA pair on every HSM; a shared user signs; openssl verifies against generate-file pem', async () => {
    const pair = await ok(
      alice([
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
        '--share-crypto-users',
        'bob',
      ]),
    );
    assert.deepEqual(Object.keys(pair), ['public_key', 'private_key']);
    assert.deepEqual(Object.keys(pair.private_key), ['key-reference', 'key-info', 'attributes']);
    assert.deepEqual(pair.private_key['key-info'], {
      'key-owners': [{ username: 'alice', 'key-coverage': 'full' }],
      'shared-users': [{ username: 'bob', 'key-coverage': 'full' }],
      'key-quorum-values': { 'manage-key-quorum-value': 0, 'use-key-quorum-value': 0 },
      'cluster-coverage': 'full',
    });
    assert.equal(pair.public_key.attributes['key-length-bytes'], 512);
    assert.equal(pair.public_key.attributes['check-value'], pair.private_key.attributes['check-value']);
    const pem = path.join(work, 'rsa.pem');
    assert.deepEqual(
      await ok(
        alice(['key', 'generate-file', '--encoding', 'pem', '--path', pem, '--filter', 'attr.label=rsa-pub']),
      ),
      {
        message: 'Successfully generated key file',
      },
    );
    const dataFile = path.join(work, 'data.txt');
    fs.writeFileSync(dataFile, 'abc123');
    const signed = await ok(
      bob([
        'crypto',
        'sign',
        'rsa-pkcs',
        '--key-filter',
        'attr.label=rsa-priv',
        '--hash-function',
        'sha256',
        '--data',
        'YWJjMTIz',
      ]),
    );
    assert.equal(signed['key-reference'], pair.private_key['key-reference']);
    const sigFile = path.join(work, 'rsa.sig');
    fs.writeFileSync(sigFile, Buffer.from(signed.signature, 'base64'));
    const out = execFileSync('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      pem,
      '-signature',
      sigFile,
      dataFile,
    ]).toString();
    assert.match(out, /Verified OK/);
    // PSS with a file of data: openssl pkeyutl verifies too.
    const pss = await ok(
      alice([
        'crypto',
        'sign',
        'rsa-pkcs-pss',
        '--key-filter',
        'attr.label=rsa-priv',
        '--hash-function',
        'sha256',
        '--mgf',
        'mgf1-sha256',
        '--salt-length',
        '32',
        '--data-path',
        dataFile,
      ]),
    );
    fs.writeFileSync(sigFile, Buffer.from(pss.signature, 'base64'));
    const pssOut = execFileSync('openssl', [
      'dgst',
      '-sha256',
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      'rsa_pss_saltlen:32',
      '-verify',
      pem,
      '-signature',
      sigFile,
      dataFile,
    ]).toString();
    assert.match(pssOut, /Verified OK/);
    assert.deepEqual(
      await ok(
        alice([
          'crypto',
          'verify',
          'rsa-pkcs-pss',
          '--key-filter',
          'attr.label=rsa-pub',
          '--hash-function',
          'sha256',
          '--mgf',
          'mgf1-sha256',
          '--salt-length',
          '32',
          '--data-path',
          dataFile,
          '--signature-path',
          sigFile,
        ]),
      ),
      { message: 'Signature verified successfully' },
    );
  });

  it('verifies an ECDSA signature openssl made over an imported public key, and rejects a wrong one', async () => {
    const keyFile = path.join(work, 'ec.key');
    const pubFile = path.join(work, 'ec.pub');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
    execFileSync('openssl', ['ec', '-in', keyFile, '-pubout', '-out', pubFile], { stdio: 'ignore' });
    const imported = await ok(
      alice([
        'key',
        'import',
        'pem',
        '--path',
        pubFile,
        '--label',
        'ext-ec',
        '--key-type-class',
        'ec-public',
        '--attributes',
        'verify=true',
      ]),
    );
    assert.equal(imported.message, 'Successfully imported key');
    assert.equal(imported.key.attributes.local, false);
    const dataFile = path.join(work, 'ec-data.bin');
    fs.writeFileSync(dataFile, 'signed outside');
    const der = execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile, dataFile]);
    // openssl makes DER; CloudHSM's ECDSA signatures are raw r‖s.
    const raw = derToRaw(der, 32);
    const sigFile = path.join(work, 'ec.sig');
    fs.writeFileSync(sigFile, raw);
    await ok(
      bob([
        'crypto',
        'verify',
        'ecdsa',
        '--key-filter',
        'attr.label=ext-ec',
        '--hash-function',
        'sha256',
        '--data-path',
        dataFile,
        '--signature-path',
        sigFile,
      ]),
    );
    raw[5] ^= 1;
    const bad = await bob([
      'crypto',
      'verify',
      'ecdsa',
      '--key-filter',
      'attr.label=ext-ec',
      '--hash-function',
      'sha256',
      '--data-path',
      dataFile,
      '--signature',
      raw.toString('base64'),
    ]);
    assert.deepEqual(bad.json, { error_code: 1, data: 'Signature verification failed' });
  });

  it('lists with filters, pages and next_token; single-key commands refuse several matches', async () => {
    for (let i = 0; i < 3; i++)
      await ok(alice(['key', 'generate-symmetric', 'aes', '--label', 'page', '--key-length-bytes', '32']));
    const first = await ok(
      alice(['key', 'list', '--filter', 'attr.label=page', 'attr.class=secret-key', '--max-items', '2']),
    );
    assert.deepEqual(Object.keys(first), [
      'matched_keys',
      'total_key_count',
      'returned_key_count',
      'next_token',
    ]);
    assert.equal(first.total_key_count, 3);
    assert.equal(first.next_token, '2');
    assert.deepEqual(Object.keys(first.matched_keys[0]), ['key-reference', 'attributes']);
    const second = await ok(
      alice([
        'key',
        'list',
        '--filter',
        'attr.label=page',
        '--max-items',
        '2',
        '--starting-token',
        '2',
        '--verbose',
      ]),
    );
    assert.equal(second.returned_key_count, 1);
    assert.equal(second.next_token, undefined);
    assert.equal(second.matched_keys[0]['key-info']['cluster-coverage'], 'full');
    const refs = [...first.matched_keys, ...second.matched_keys].map((k: any) => k['key-reference']);
    assert.deepEqual(refs, [...refs].sort());
    const many = await alice(['key', 'delete', '--filter', 'attr.label=page']);
    assert.deepEqual(many.json, {
      error_code: 1,
      data: 'Key selection criteria matched 3 keys. Refine selection criteria to select a single key.',
    });
    assert.deepEqual(await ok(alice(['key', 'delete', '--filter', `key-reference=${refs[0]}`])), {
      message: 'Key deleted successfully',
    });
    assert.equal((await ok(bob(['key', 'list', '--filter', 'attr.label=page']))).total_key_count, 0);
  });

  it('shows an HSM that is down as inconsistent coverage', async () => {
    await c.stopNode(2);
    try {
      const run = await alice(['key', 'list', '--filter', 'attr.label=rsa-priv', '--verbose']);
      assert.equal(run.json?.error_code, 0, run.stdout + run.stderr);
      const key = run.json!.data.matched_keys[0];
      assert.equal(key['key-info']['cluster-coverage'], 'inconsistent');
      assert.equal(key['key-info']['key-owners'][0]['key-coverage'], 'inconsistent');
    } finally {
      await c.startNode(2);
    }
    const back = await ok(alice(['key', 'list', '--filter', 'attr.label=rsa-priv', '--verbose']));
    assert.equal(back.matched_keys[0]['key-info']['cluster-coverage'], 'full');
  });
});

describe('key availability check on a 1-HSM cluster', () => {
  it('refuses token keys with the documented text until the cfg disables the check', async () => {
    const c = await startActivatedCluster({ hsms: 1 });
    try {
      const created = await c.as('admin', 'admin', ADMIN_PASSWORD, [
        'user',
        'create',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        '--password',
        PASS,
      ]);
      assert.equal(created.json?.error_code, 0);
      const gen = ['key', 'generate-symmetric', 'aes', '--label', 'one', '--key-length-bytes', '16'];
      const refused = await c.as('crypto-user', 'alice', PASS, gen);
      assert.deepEqual(refused.json, {
        error_code: 1,
        data: 'Cannot perform the requested key operation as the key must be available on at least 2 HSMs. Either increase the number of HSMs in the cluster, or disable the key availability check.',
      });
      assert.match(refused.stderr, /disable-key-availability-check/);
      const session = await c.as('crypto-user', 'alice', PASS, [...gen, '--session']);
      assert.equal(session.json?.data.key['key-info']['cluster-coverage'], 'session');
      const cfgFile = path.join(c.dir, 'cloudhsm-cli.cfg');
      const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
      fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, disable_key_availability_check: true }));
      const made = await c.as('crypto-user', 'alice', PASS, gen);
      assert.equal(made.json?.data.key['key-info']['cluster-coverage'], 'full', made.stdout + made.stderr);
      const listed = await c.as('crypto-user', 'alice', PASS, ['key', 'list']);
      assert.equal(listed.json?.data.total_key_count, 1);
    } finally {
      await c.close();
    }
  });
});

/** DER ECDSA-Sig-Value → r‖s, each half `size` bytes. */
function derToRaw(der: Buffer, size: number): Buffer {
  let pos = 2;
  const part = () => {
    const len = der[pos + 1]!;
    const v = der.subarray(pos + 2, pos + 2 + len);
    pos += 2 + len;
    const trimmed = v[0] === 0 ? v.subarray(1) : v;
    return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
  };
  return Buffer.concat([part(), part()]);
}
