// key wrap / key unwrap end to end through cloudhsm-cli on a 3-HSM TLS cluster: keys wrapped by LocalHSM are
// unwrapped by openssl or Node outside, keys wrapped outside are unwrapped inside and then used to sign, and the
// rules of spec §10.1 (owner-only payload, extractable, wrap/unwrap attributes, wrap-with-trusted).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type TestCluster, startActivatedCluster, tempDir } from '../helpers/cluster.js';

const PASS = 'crypto-pass-1';
type Json = { error_code: number; data: any } | undefined;

describe('key wrap and key unwrap on a 3-HSM cluster', () => {
  let c: TestCluster;
  const work = tempDir('localhsm-wrap-cli-');
  const file = (name: string, content?: Buffer | string) => {
    const f = path.join(work, name);
    if (content !== undefined) fs.writeFileSync(f, content);
    return f;
  };
  const alice = (args: string[]) => c.as('crypto-user', 'alice', PASS, args);
  const bob = (args: string[]) => c.as('crypto-user', 'bob', PASS, args);
  const ok = async (run: Promise<{ json: Json; stdout: string; stderr: string }>) => {
    const r = await run;
    assert.equal(r.json?.error_code, 0, r.stdout + r.stderr);
    return r.json!.data;
  };
  const refused = async (run: Promise<{ json: Json; stdout: string; stderr: string }>) => {
    const r = await run;
    assert.equal(r.json?.error_code, 1, r.stdout + r.stderr);
    return r.json!.data as string;
  };
  const aes128 = (who: typeof alice, label: string, ...more: string[]) =>
    ok(who(['key', 'generate-symmetric', 'aes', '--label', label, '--key-length-bytes', '16', ...more]));
  const openssl = (args: string[], input?: Buffer) =>
    execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
  const oaep = (hash: string) => [
    '-pkeyopt',
    'rsa_padding_mode:oaep',
    '-pkeyopt',
    `rsa_oaep_md:${hash}`,
    '-pkeyopt',
    `rsa_mgf1_md:${hash}`,
  ];

  // Outside: an RSA pair whose public half LocalHSM imports as a wrapping key.
  const outside = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const outsidePriv = file('outside-priv.pem', outside.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const outsidePub = file('outside-pub.pem', outside.publicKey.export({ type: 'spki', format: 'pem' }));
  // Outside: a known AES key, carried in with rsa-oaep and then used as a wrapping key (so its output can be
  // checked outside).
  const kek = crypto.randomBytes(32);

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
    await ok(
      alice([
        'key',
        'import',
        'pem',
        '--path',
        outsidePub,
        '--label',
        'outside-wrap',
        '--key-type-class',
        'rsa-public',
        '--attributes',
        'wrap=true',
      ]),
    );
    await ok(
      alice([
        'key',
        'generate-asymmetric-pair',
        'rsa',
        '--public-exponent',
        '65537',
        '--modulus-size-bits',
        '2048',
        '--public-label',
        'inside-pub',
        '--private-label',
        'inside-unwrap',
        '--private-attributes',
        'unwrap=true',
        '--share-crypto-users',
        'bob',
      ]),
    );
    await ok(
      alice([
        'key',
        'generate-file',
        '--encoding',
        'pem',
        '--path',
        file('inside-pub.pem'),
        '--filter',
        'attr.label=inside-pub',
      ]),
    );
    await ok(
      alice(['key', 'generate-symmetric', 'aes', '--label', 'payload-aes', '--key-length-bytes', '16']),
    );
  });
  after(async () => {
    await c.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("wrap outside (rsa-oaep), unwrap inside: the new key is alice's, local=false, on every HSM, with its check-value", async () => {
    const wrapped = openssl(
      ['pkeyutl', '-encrypt', '-pubin', '-inkey', file('inside-pub.pem'), ...oaep('sha256')],
      kek,
    );
    const data = await ok(
      alice([
        'key',
        'unwrap',
        'rsa-oaep',
        '--filter',
        'attr.label=inside-unwrap',
        '--hash-function',
        'sha256',
        '--mgf',
        'mgf1-sha256',
        '--key-type-class',
        'aes',
        '--label',
        'kek',
        '--attributes',
        'wrap=true',
        'unwrap=true',
        '--data',
        wrapped.toString('base64'),
      ]),
    );
    const key = data.key;
    assert.deepEqual(key['key-info']['key-owners'], [{ username: 'alice', 'key-coverage': 'full' }]);
    assert.equal(key['key-info']['cluster-coverage'], 'full');
    const a = key.attributes;
    assert.deepEqual(
      [
        a['key-type'],
        a.class,
        a.local,
        a['always-sensitive'],
        a['never-extractable'],
        a.wrap,
        a.unwrap,
        a['key-length-bytes'],
      ],
      ['aes', 'secret-key', false, false, false, true, true, 32],
    );
    const c0 = crypto.createCipheriv('aes-256-ecb', kek, null).update(Buffer.alloc(16));
    assert.equal(a['check-value'], '0x' + c0.subarray(0, 3).toString('hex'));
    for (const node of c.nodes)
      assert.equal(node!.node.store.getKey(Number(key['key-reference']))?.label, 'kek');
  });

  it('aes-gcm: WR-1 shape; the IV and ciphertext‖tag open outside with the known AES key and AAD', async () => {
    const data = await ok(
      alice([
        'key',
        'wrap',
        'aes-gcm',
        '--payload-filter',
        'attr.label=payload-aes',
        '--wrapping-filter',
        'attr.label=kek',
        '--tag-length-bits',
        '64',
        '--aad',
        '0x10',
      ]),
    );
    assert.deepEqual(Object.keys(data), [
      'payload_key_reference',
      'wrapping_key_reference',
      'iv',
      'wrapped_key_data',
    ]);
    assert.match(data.iv, /^0x[0-9a-f]{24}$/);
    const wrapped = Buffer.from(data.wrapped_key_data, 'base64');
    assert.equal(wrapped.length, 24);
    const d = crypto.createDecipheriv('aes-256-gcm', kek, Buffer.from(data.iv.slice(2), 'hex'), {
      authTagLength: 8,
    });
    d.setAAD(Buffer.from([0x10]));
    d.setAuthTag(wrapped.subarray(16));
    const payload = Buffer.concat([d.update(wrapped.subarray(0, 16)), d.final()]);
    // The unwrapped bytes are the payload key: its check-value matches the one LocalHSM shows.
    const listed = await ok(alice(['key', 'list', '--filter', 'attr.label=payload-aes', '--verbose']));
    const kcv = crypto.createCipheriv('aes-128-ecb', payload, null).update(Buffer.alloc(16)).subarray(0, 3);
    assert.equal(listed.matched_keys[0].attributes['check-value'], '0x' + kcv.toString('hex'));
    // And LocalHSM unwraps its own output again.
    const back = await ok(
      alice([
        'key',
        'unwrap',
        'aes-gcm',
        '--filter',
        'attr.label=kek',
        '--tag-length-bits',
        '64',
        '--aad',
        '0x10',
        '--iv',
        data.iv,
        '--key-type-class',
        'aes',
        '--label',
        'payload-again',
        '--data',
        data.wrapped_key_data,
      ]),
    );
    assert.equal(back.key.attributes['check-value'], '0x' + kcv.toString('hex'));
  });

  it('aes-pkcs5-pad with --path: WR-2 size, raw bytes in the file, openssl enc -id-aes256-wrap opens them', async () => {
    const out = file('wrapped.bin');
    const data = await ok(
      alice([
        'key',
        'wrap',
        'aes-pkcs5-pad',
        '--payload-filter',
        'attr.label=payload-aes',
        '--wrapping-filter',
        'attr.label=kek',
        '--path',
        out,
      ]),
    );
    assert.deepEqual(Object.keys(data), [
      'payload_key_reference',
      'wrapping_key_reference',
      'wrapped_key_data',
    ]);
    const bytes = fs.readFileSync(out);
    assert.deepEqual(bytes, Buffer.from(data.wrapped_key_data, 'base64'));
    assert.equal(bytes.length, 32);
    const padded = openssl(
      ['enc', '-d', '-id-aes256-wrap', '-K', kek.toString('hex'), '-iv', 'A6A6A6A6A6A6A6A6'],
      bytes,
    );
    assert.deepEqual(padded.subarray(16), Buffer.alloc(8, 8));
    // --data-path takes the same file back in.
    const back = await ok(
      alice([
        'key',
        'unwrap',
        'aes-pkcs5-pad',
        '--filter',
        'attr.label=kek',
        '--key-type-class',
        'aes',
        '--label',
        'from-file',
        '--data-path',
        out,
      ]),
    );
    const kcv = crypto
      .createCipheriv('aes-128-ecb', padded.subarray(0, 16), null)
      .update(Buffer.alloc(16))
      .subarray(0, 3);
    assert.equal(back.key.attributes['check-value'], '0x' + kcv.toString('hex'));
  });

  it('rsa-aes and rsa-oaep to an imported public key: openssl opens them with the outside private key', async () => {
    const aes = await ok(
      alice([
        'key',
        'wrap',
        'rsa-aes',
        '--payload-filter',
        'attr.label=payload-aes',
        '--wrapping-filter',
        'attr.label=outside-wrap',
        '--hash-function',
        'sha256',
        '--mgf',
        'mgf1-sha256',
      ]),
    );
    assert.deepEqual(Object.keys(aes), [
      'payload_key_reference',
      'wrapping_key_reference',
      'wrapped_key_data',
    ]);
    const blob = Buffer.from(aes.wrapped_key_data, 'base64');
    assert.equal(blob.length, 280);
    const ephemeral = openssl(
      ['pkeyutl', '-decrypt', '-inkey', outsidePriv, ...oaep('sha256')],
      blob.subarray(0, 256),
    );
    const viaAes = openssl(
      ['enc', '-d', '-id-aes256-wrap-pad', '-K', ephemeral.toString('hex'), '-iv', 'A65959A6'],
      blob.subarray(256),
    );
    const viaOaep = await ok(
      alice([
        'key',
        'wrap',
        'rsa-oaep',
        '--payload-filter',
        'attr.label=payload-aes',
        '--wrapping-filter',
        'attr.label=outside-wrap',
        '--hash-function',
        'sha1',
        '--mgf',
        'mgf1-sha1',
      ]),
    );
    const plain = openssl(
      ['pkeyutl', '-decrypt', '-inkey', outsidePriv, ...oaep('sha1')],
      Buffer.from(viaOaep.wrapped_key_data, 'base64'),
    );
    assert.deepEqual(viaAes, plain);
    assert.equal(plain.length, 16);
    const pkcs = await ok(
      alice([
        'key',
        'wrap',
        'rsa-pkcs',
        '--payload-filter',
        'attr.label=payload-aes',
        '--wrapping-filter',
        'attr.label=outside-wrap',
      ]),
    );
    assert.deepEqual(
      openssl(['pkeyutl', '-decrypt', '-inkey', outsidePriv], Buffer.from(pkcs.wrapped_key_data, 'base64')),
      plain,
    );
  });

  it('an EC private key wrapped outside (rsa-aes) unwraps inside for bob (shared unwrapping key) and signs', async () => {
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = ec.privateKey.export({ type: 'pkcs8', format: 'der' });
    const ephemeral = crypto.randomBytes(32);
    const head = openssl(
      ['pkeyutl', '-encrypt', '-pubin', '-inkey', file('inside-pub.pem'), ...oaep('sha384')],
      ephemeral,
    );
    const tail = openssl(
      ['enc', '-id-aes256-wrap-pad', '-K', ephemeral.toString('hex'), '-iv', 'A65959A6'],
      pkcs8,
    );
    const data = await ok(
      bob([
        'key',
        'unwrap',
        'rsa-aes',
        '--filter',
        'attr.label=inside-unwrap',
        '--hash-function',
        'sha384',
        '--mgf',
        'mgf1-sha384',
        '--key-type-class',
        'ec-private',
        '--label',
        'bob-ec',
        '--attributes',
        'sign=true',
        '--data-path',
        file('ec.wrapped', Buffer.concat([head, tail])),
      ]),
    );
    const a = data.key.attributes;
    assert.deepEqual(
      [a['key-type'], a.class, a.curve, a.local, a.sign],
      ['ec', 'private-key', 'prime256v1', false, true],
    );
    assert.deepEqual(data.key['key-info']['key-owners'], [{ username: 'bob', 'key-coverage': 'full' }]);
    const spki = ec.publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(a['check-value'], '0x' + crypto.createHash('sha1').update(spki).digest('hex').slice(0, 6));
    const message = Buffer.from('signed by an unwrapped key');
    const sig = await ok(
      bob([
        'crypto',
        'sign',
        'ecdsa',
        '--key-filter',
        'attr.label=bob-ec',
        '--hash-function',
        'sha256',
        '--data',
        message.toString('base64'),
      ]),
    );
    assert.equal(
      crypto.verify(
        'sha256',
        message,
        { key: ec.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(sig.signature, 'base64'),
      ),
      true,
    );
  });

  it('refuses: a payload bob does not own, extractable=false, a wrapping key without wrap, wrap-with-trusted, bad data', async () => {
    await aes128(alice, 'shared-aes', '--share-crypto-users', 'bob');
    await ok(
      bob([
        'key',
        'import',
        'pem',
        '--path',
        outsidePub,
        '--label',
        'bob-wrap',
        '--key-type-class',
        'rsa-public',
        '--attributes',
        'wrap=true',
      ]),
    );
    const wrapWith = (who: typeof alice, payload: string, wrapping: string) =>
      who([
        'key',
        'wrap',
        'rsa-pkcs',
        '--payload-filter',
        `attr.label=${payload}`,
        '--wrapping-filter',
        `attr.label=${wrapping}`,
      ]);
    assert.equal(
      await refused(wrapWith(bob, 'shared-aes', 'bob-wrap')),
      'Only the owner of the key can perform this operation',
    );
    await aes128(alice, 'stuck', '--attributes', 'extractable=false');
    assert.equal(
      await refused(wrapWith(alice, 'stuck', 'outside-wrap')),
      'Key does not have the required attribute extractable set to true',
    );
    assert.equal(
      await refused(wrapWith(alice, 'payload-aes', 'inside-pub')),
      'Key does not have the required attribute wrap set to true',
    );
    await aes128(alice, 'guarded', '--attributes', 'wrap-with-trusted=true');
    assert.equal(
      await refused(wrapWith(alice, 'guarded', 'outside-wrap')),
      'Wrapping key must be trusted to wrap this key',
    );
    const ref = (await ok(alice(['key', 'list', '--filter', 'attr.label=outside-wrap']))).matched_keys[0][
      'key-reference'
    ];
    await ok(
      c.as('admin', 'admin', ADMIN_PASSWORD, [
        'key',
        'set-attribute',
        '--filter',
        `key-reference=${ref}`,
        '--name',
        'trusted',
        '--value',
        'true',
      ]),
    );
    await ok(wrapWith(alice, 'guarded', 'outside-wrap'));
    const bad = await refused(
      alice([
        'key',
        'unwrap',
        'aes-zero-pad',
        '--filter',
        'attr.label=kek',
        '--key-type-class',
        'aes',
        '--label',
        'x',
        '--data',
        Buffer.alloc(24, 1).toString('base64'),
      ]),
    );
    assert.equal(bad, 'Unwrap failed');
  });

  it('every mechanism round-trips through the CLI: wrap, unwrap, same check-value', async () => {
    await ok(
      alice([
        'key',
        'set-attribute',
        '--filter',
        'attr.label=inside-pub',
        '--name',
        'wrap',
        '--value',
        'true',
      ]),
    );
    const original = (await ok(alice(['key', 'list', '--filter', 'attr.label=payload-aes', '--verbose'])))
      .matched_keys[0].attributes['check-value'];
    const cases: [string, string, string, string[]][] = [
      ['aes-gcm', 'kek', 'kek', ['--tag-length-bits', '128']],
      ['aes-no-pad', 'kek', 'kek', []],
      ['aes-pkcs5-pad', 'kek', 'kek', []],
      ['aes-zero-pad', 'kek', 'kek', []],
      ['cloudhsm-aes-gcm', 'kek', 'kek', ['--tag-length-bits', '96']],
      ['rsa-aes', 'inside-pub', 'inside-unwrap', ['--hash-function', 'sha512', '--mgf', 'mgf1-sha512']],
      ['rsa-oaep', 'inside-pub', 'inside-unwrap', ['--hash-function', 'sha224', '--mgf', 'mgf1-sha224']],
      ['rsa-pkcs', 'inside-pub', 'inside-unwrap', []],
    ];
    for (const [mechanism, wrapping, unwrapping, extra] of cases) {
      const w = await ok(
        alice([
          'key',
          'wrap',
          mechanism,
          '--payload-filter',
          'attr.label=payload-aes',
          '--wrapping-filter',
          `attr.label=${wrapping}`,
          ...extra,
        ]),
      );
      const u = await ok(
        alice([
          'key',
          'unwrap',
          mechanism,
          '--filter',
          `attr.label=${unwrapping}`,
          ...extra,
          ...(w.iv ? ['--iv', w.iv] : []),
          '--key-type-class',
          'aes',
          '--label',
          `round-trip-${mechanism}`,
          '--data',
          w.wrapped_key_data,
        ]),
      );
      assert.equal(u.key.attributes['check-value'], original, mechanism);
      assert.equal(u.key['key-info']['cluster-coverage'], 'full', mechanism);
    }
  });

  it('prints the documented usage lines of spec §10.3 and §10.4', async () => {
    const filters = '--payload-filter [<PAYLOAD_FILTER>...] --wrapping-filter [<WRAPPING_FILTER>...]';
    const tail = '--key-type-class <KEY_TYPE_CLASS> --label <LABEL>';
    const data = '<--data-path <DATA_PATH>|--data <DATA>>';
    const hashes = '--hash-function <HASH_FUNCTION> --mgf <MGF>';
    const expected: Record<string, string> = {
      'wrap aes-gcm': `${filters} --tag-length-bits <TAG_LENGTH_BITS>`,
      'wrap rsa-aes': `${filters} ${hashes}`,
      'unwrap aes-gcm': `--filter [<FILTER>...] --tag-length-bits <TAG_LENGTH_BITS> ${tail} --iv <IV> ${data}`,
      'unwrap rsa-aes': `--filter [<FILTER>...] ${hashes} ${tail} ${data}`,
      'unwrap rsa-oaep': `--filter [<FILTER>...] ${hashes} ${tail} ${data}`,
    };
    for (const m of ['aes-no-pad', 'aes-pkcs5-pad', 'aes-zero-pad', 'rsa-pkcs']) {
      expected[`wrap ${m}`] = filters;
      expected[`unwrap ${m}`] = `--filter [<FILTER>...] ${tail} ${data}`;
    }
    for (const [command, rest] of Object.entries(expected)) {
      const run = await c.cli(['key', ...command.split(' '), '--help']);
      assert.ok(
        run.stdout.includes(`Usage: cloudhsm-cli key ${command} [OPTIONS] ${rest}\n`),
        `${command}: ${run.stdout.split('\n')[2]}`,
      );
    }
  });
});
