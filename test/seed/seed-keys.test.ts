// Seeded keys: a seed file's keys (generated, or imported from a PEM for test fixtures) are checked with the
// creating operations' rules, located errors name the line and field, and a seeded cluster holds them on every HSM.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HsmError } from '../../src/errors.js';
import { importSeed } from '../../src/hsm/seed-import.js';
import { seedKeyMaterial } from '../../src/hsm/seed-keys.js';
import { startCluster } from '../../src/library/start-cluster.js';
import { loadSeedFile, resolveSeed } from '../../src/seed/seed-file.js';
import { tempDir } from '../helpers/cluster.js';
import { TEST_MASKING, makeNode } from '../helpers/node.js';

const USERS = [
  '  - { username: admin, role: admin, password: admin-pass-1 }',
  '  - { username: alice, role: crypto-user, password: alice-pass-1 }',
  '  - { username: bob, role: crypto-user, password: bob-pass-1 }',
  '  - { username: carol, role: crypto-user, password: carol-pass-1 }',
];
const USER_OBJECTS = [
  { username: 'admin', role: 'admin' as const, password: 'admin-pass-1' },
  { username: 'alice', role: 'crypto-user' as const, password: 'alice-pass-1' },
  { username: 'bob', role: 'crypto-user' as const, password: 'bob-pass-1' },
];

describe('seeded keys', () => {
  let dir: string;
  const fixture = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rsaFixture = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const write = (name: string, lines: readonly string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };
  const refusal = (file: string, hsmType?: 'hsm1.medium') => {
    try {
      loadSeedFile(file, hsmType);
    } catch (error) {
      assert.ok(error instanceof HsmError, String(error));
      return error.message.split('\n');
    }
    assert.fail(`${file} was accepted`);
  };

  before(() => {
    dir = tempDir('localhsm-seed-keys-');
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.writeFileSync(
      path.join(dir, 'keys', 'fixture.key'),
      fixture.privateKey.export({ type: 'sec1', format: 'pem' }),
    );
    fs.writeFileSync(
      path.join(dir, 'keys', 'partner.pub'),
      rsaFixture.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    fs.writeFileSync(
      path.join(dir, 'keys', 'fixture-rsa.key'),
      rsaFixture.privateKey.export({ type: 'pkcs1', format: 'pem' }),
    );
    fs.writeFileSync(
      path.join(dir, 'keys', 'locked.key'),
      rsaFixture.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads keys: generated pairs and secrets, imported public and private keys, labels that repeat', () => {
    const seed = loadSeedFile(
      write('ok.yaml', [
        'users:',
        ...USERS,
        'keys:',
        '  - { owner: alice, type: rsa, modulusSizeBits: 2048, label: signing, privateAttributes: [sign=true] }',
        '  - { owner: Alice, type: ec, curve: secp384r1, publicLabel: ec-pub, privateLabel: ec-priv,',
        '      shareCryptoUsers: [bob, carol], manageKeyQuorumValue: 2, useKeyQuorumValue: 3 }',
        '  - { owner: bob, type: aes, keyLengthBytes: 32, label: signing, attributes: [wrap=true] }',
        '  - { owner: bob, type: generic-secret, keyLengthBytes: 64, label: hmac, manageKeyQuorumValue: 0, useKeyQuorumValue: 0 }',
        '  - { owner: bob, publicKey: keys/partner.pub, label: partner, attributes: [verify=true] }',
        '  - { owner: alice, privateKey: keys/fixture.key, label: fixture, privateAttributes: [sign=true] }',
      ]),
    );
    assert.deepEqual(
      seed.keys!.map((k) => [
        k.owner,
        k.source.kind,
        k.parts.map((p) => `${p.keyClass}:${p.label}`).join(' '),
        k.share.join(','),
        k.manageQuorum ?? 0,
        k.useQuorum ?? 0,
      ]),
      [
        ['alice', 'generate', 'public-key:signing private-key:signing', '', 0, 0],
        ['alice', 'generate', 'public-key:ec-pub private-key:ec-priv', 'bob,carol', 2, 3],
        ['bob', 'generate', 'secret-key:signing', '', 0, 0],
        ['bob', 'generate', 'secret-key:hmac', '', 0, 0],
        ['bob', 'import-public', 'public-key:partner', '', 0, 0],
        ['alice', 'import-private', 'public-key:fixture private-key:fixture', '', 0, 0],
      ],
    );
  });

  it('refuses each bad key with the file, line and field', () => {
    const lines = refusal(
      write('bad.yaml', [
        'users:',
        ...USERS,
        'keys:',
        '  - { owner: dave, type: aes, keyLengthBytes: 16, label: a }', // 9
        '  - { owner: admin, type: aes, keyLengthBytes: 16, label: a }', // 10
        '  - { owner: alice, type: rsa, modulusSizeBits: 1000, label: r }', // 11
        '  - { owner: alice, type: ec, curve: p256, label: e }', // 12
        '  - { owner: alice, type: aes, keyLengthBytes: 20, label: a }', // 13
        '  - { owner: alice, type: aes, label: a }', // 14
        '  - { owner: alice, keyLengthBytes: 16, label: a }', // 15
        '  - { owner: alice, type: aes, keyLengthBytes: 16 }', // 16
        `  - { owner: alice, type: aes, keyLengthBytes: 16, label: ${'x'.repeat(128)} }`, // 17
        '  - { owner: alice, type: aes, keyLengthBytes: 16, label: a, attributes: [trusted=true] }', // 18
        '  - { owner: alice, type: aes, keyLengthBytes: 16, label: a, attributes: [token=false] }', // 19
        '  - { owner: alice, type: aes, keyLengthBytes: 16, label: a, shareCryptoUsers: [alice] }', // 20
        '  - { owner: alice, type: aes, keyLengthBytes: 16, label: a, shareCryptoUsers: [admin] }', // 21
        '  - { owner: alice, type: aes, keyLengthBytes: 16, label: a, manageKeyQuorumValue: 2, useKeyQuorumValue: 2 }', // 22
        '  - { owner: alice, type: aes, keyLengthBytes: 16, label: a, manageKeyQuorumValue: 2 }', // 23
        '  - { owner: alice, publicKey: keys/missing.pub, label: p }', // 24
        '  - { owner: alice, type: ec, publicKey: keys/partner.pub, label: p }', // 25
        '  - { owner: alice, privateKey: keys/locked.key, label: p }', // 26
        '  - { owner: alice, type: rsa, modulusSizeBits: 2048, curve: secp384r1, label: r }', // 27
        '  - { owner: alice, publicKey: keys/partner.pub, label: p, shareCryptoUsers: [bob] }', // 28
      ]),
    );
    const f = path.join(dir, 'bad.yaml');
    assert.deepEqual(lines, [
      `${f}:7: keys[0].owner: unknown owner 'dave': not a user of this seed`,
      `${f}:8: keys[1].owner: 'admin' is an admin: keys are owned by crypto users`,
      `${f}:9: keys[2].modulusSizeBits: modulus-size-bits must be 2048 to 4096 in steps of 256, got 1000`,
      `${f}:10: keys[3].curve: curve must be one of prime256v1, secp256r1, secp224r1, secp384r1, secp256k1, secp521r1, got p256`,
      `${f}:11: keys[4].keyLengthBytes: an AES key is 16, 24, 32 bytes long, got 20`,
      `${f}:12: keys[5].keyLengthBytes: is required for aes keys`,
      `${f}:13: keys[6].type: is required: rsa, ec, aes or generic-secret (or give publicKey or privateKey to import a key)`,
      `${f}:14: keys[7].label: is required`,
      `${f}:15: keys[8].label: a label has at most 127 characters`,
      `${f}:16: keys[9].attributes: Attribute trusted cannot be set to the value true by the user for this operation`,
      `${f}:17: keys[10].attributes: a seeded key is a token key (a session key ends with its login session): leave token out`,
      `${f}:18: keys[11].shareCryptoUsers[0]: 'alice' owns the key`,
      `${f}:19: keys[12].shareCryptoUsers[0]: 'admin' is an admin: keys are shared with crypto users only`,
      `${f}:20: keys[13].manageKeyQuorumValue: Invalid quorum value provided. (0 for none, or both 2 to 8 and at most the owner and shared users)`,
      `${f}:21: keys[14].manageKeyQuorumValue: The manage key and use key quorum values must be set to a value greater than 1 (0 for none, or both 2 to 8 and at most the owner and shared users)`,
      `${f}:22: keys[15].publicKey: cannot read keys/missing.pub as ${path.join(dir, 'keys', 'missing.pub')} (ENOENT)`,
      `${f}:23: keys[16].publicKey: it is a rsa key, not ec-public`,
      `${f}:24: keys[17].privateKey: the private key is encrypted; give it unencrypted`,
      `${f}:25: keys[18].curve: applies to ec keys only, not rsa`,
      `${f}:26: keys[19].shareCryptoUsers: an imported public key is not shared and has no quorum values (as with key import pem)`,
    ]);
    // Unknown fields are refused first, with the fields a key takes.
    const unknown = refusal(
      write('unknown.yaml', [
        'users:',
        ...USERS,
        'keys:',
        '  - { owner: alice, type: aes, size: 16, label: a }',
      ]),
    );
    assert.match(
      unknown[0]!,
      /unknown\.yaml:7: keys\[0\]\.size: unknown field \(expected owner, type, modulusSizeBits, /,
    );
  });

  it('refuses more keys than the HSM type holds, before anything is created', () => {
    const keys = (n: number, type: 'aes' | 'ec') =>
      Array.from({ length: n }, (_, i) =>
        type === 'aes'
          ? { owner: 'alice', type, keyLengthBytes: 16, label: `k${i}` }
          : { owner: 'alice', type, curve: 'secp256r1', label: `k${i}` },
      );
    const refused = (input: object, hsmType: 'hsm1.medium' | 'hsm2m.medium') => {
      try {
        resolveSeed(input, dir, 'seed.yaml', hsmType);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    assert.equal(
      refused({ users: USER_OBJECTS, keys: keys(3301, 'aes') }, 'hsm1.medium'),
      'seed.yaml: keys: 3301 key objects: an HSM of type hsm1.medium holds at most 3300 keys (each key of a pair counts)',
    );
    assert.equal(refused({ users: USER_OBJECTS, keys: keys(3301, 'aes') }, 'hsm2m.medium'), 'accepted');
    // 1,667 pairs are 3,334 asymmetric key objects.
    assert.equal(
      refused({ users: USER_OBJECTS, keys: keys(1667, 'ec') }, 'hsm2m.medium'),
      'seed.yaml: keys: 3334 key objects: an HSM of type hsm2m.medium holds at most 3333 asymmetric keys (each key of a pair counts)',
    );
  });

  it('stores the same keys on every HSM, sealed, with the attributes of generated and imported keys', async () => {
    const seed = resolveSeed(
      {
        users: USER_OBJECTS,
        keys: [
          { owner: 'alice', type: 'aes', keyLengthBytes: 32, label: 'aes', shareCryptoUsers: ['bob'] },
          {
            owner: 'alice',
            privateKey: fixture.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
            label: 'fixture',
            privateAttributes: ['sign=true', 'extractable=false'],
            shareCryptoUsers: ['bob'],
            manageKeyQuorumValue: 2,
            useKeyQuorumValue: 2,
          },
        ],
      },
      dir,
    );
    const material = await seedKeyMaterial(seed.keys!);
    const stores = [];
    for (const hsmId of ['hsm-aaaaaaaaaaa', 'hsm-bbbbbbbbbbb']) {
      const { store } = await makeNode({ hsmId });
      await importSeed(store, seed, undefined, { masking: TEST_MASKING, material });
      stores.push(store);
    }
    const [a, b] = stores.map((store) => [1, 2, 3].map((ref) => store.getKey(ref)!));
    assert.deepEqual(
      a!.map((k) => [k.ref, k.keyClass, k.label, k.owner, k.shared, k.manageQuorum, k.useQuorum]),
      [
        [1, 'secret-key', 'aes', 'alice', ['bob'], 0, 0],
        [2, 'public-key', 'fixture', 'alice', [], 0, 0],
        [3, 'private-key', 'fixture', 'alice', ['bob'], 2, 2],
      ],
    );
    // The same key objects (the sealed material differs by its IV only).
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(a![i]!.attributes, b![i]!.attributes);
      const open = (k: (typeof a)[number]) =>
        k!.keyClass === 'public-key' ? k!.material : TEST_MASKING.openMaterial(k!.ref, k!.material);
      assert.ok(open(a![i]!).equals(open(b![i]!)));
    }
    const [aes, pub, priv] = a!;
    assert.deepEqual(
      [aes!.attributes.local, aes!.attributes['always-sensitive'], aes!.attributes.token],
      [true, true, true],
    );
    // Imported: local=false, never always-sensitive nor never-extractable (as unwrapped keys, spec §2.6).
    assert.deepEqual(
      [
        priv!.attributes.local,
        priv!.attributes['always-sensitive'],
        priv!.attributes['never-extractable'],
        priv!.attributes.extractable,
        priv!.attributes.sign,
        pub!.attributes.local,
      ],
      [false, false, false, false, true, false],
    );
    const pkcs8 = fixture.privateKey.export({ type: 'pkcs8', format: 'der' });
    assert.ok(TEST_MASKING.openMaterial(priv!.ref, priv!.material).equals(pkcs8));
    assert.ok(!priv!.material.includes(pkcs8.subarray(-32)), 'stored sealed');
    assert.equal(pub!.attributes['check-value'], priv!.attributes['check-value']);
    // Each HSM checks again with its own rules: a key owned by an admin is refused, whatever the file said.
    const { store: other } = await makeNode({ hsmId: 'hsm-ccccccccccc' });
    const forged = { ...seed, keys: [{ ...seed.keys![0]!, owner: 'admin' }] };
    await assert.rejects(
      importSeed(other, forged, undefined, { masking: TEST_MASKING, material: [material[0]!] }),
      {
        message: 'seed: the owner of a key must be a crypto user; admin is not',
      },
    );
    assert.equal(other.countKeys(), 0);
    assert.equal(other.countUsers(), 2, 'the whole import was rolled back');
    // Keys need the cluster masking key.
    await assert.rejects(importSeed(other, seed), { code: 'ERR_KEY_MASKING' });
    assert.deepEqual(
      stores[0]!
        .listAudit()
        .slice(-3)
        .map((e) => [e.operation, e.target]),
      [
        ['seed-import', '0x0000000000000001'],
        ['seed-import', '0x0000000000000002'],
        ['seed-import', '0x0000000000000003'],
      ],
    );
  });

  it('a seeded cluster lists the keys on every HSM, and a seeded private key signs what openssl verifies', async () => {
    const seedFile = write('cluster.yaml', [
      'users:',
      ...USERS,
      'keys:',
      '  - { owner: alice, type: rsa, modulusSizeBits: 2048, publicLabel: rsa-pub, privateLabel: rsa-priv,',
      '      privateAttributes: [sign=true], shareCryptoUsers: [bob], manageKeyQuorumValue: 2, useKeyQuorumValue: 2 }',
      '  - { owner: bob, type: aes, keyLengthBytes: 16, label: bob-aes }',
      '  - { owner: alice, privateKey: keys/fixture-rsa.key, publicLabel: fx-pub, privateLabel: fx-priv,',
      '      privateAttributes: [sign=true], shareCryptoUsers: [bob, carol] }',
      '  - { owner: carol, type: ec, curve: secp256r1, label: fx-priv, privateAttributes: [sign=true] }',
    ]);
    const cluster = await startCluster({ hsms: 2, seed: seedFile });
    try {
      const run = async (who: string, args: string[]) => {
        const r = await cluster.cli(args, undefined, {
          env: { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: `${who}:${who}-pass-1` },
        });
        return JSON.parse(r.stdout) as { error_code: number; data: any };
      };
      const as = async (who: string, args: string[]) => {
        const json = await run(who, args);
        assert.equal(json.error_code, 0, `${args.join(' ')}: ${JSON.stringify(json)}`);
        return json.data;
      };
      const listed = await as('alice', ['key', 'list', '--verbose', '--max-items', '20']);
      const summary = listed.matched_keys.map((k: any) => [
        k.attributes.label,
        k.attributes.class,
        k['key-info']['key-owners'][0].username,
        k['key-info']['shared-users'].map((u: any) => u.username).join(','),
        k['key-info']['key-quorum-values']['use-key-quorum-value'],
        k.attributes.local,
        k['key-info']['cluster-coverage'],
      ]);
      // Alice sees her keys and every public key (carol's too; labels need not be unique), each on both HSMs.
      assert.deepEqual(summary, [
        ['rsa-pub', 'public-key', 'alice', '', 0, true, 'full'],
        ['rsa-priv', 'private-key', 'alice', 'bob', 2, true, 'full'],
        ['fx-pub', 'public-key', 'alice', '', 0, false, 'full'],
        ['fx-priv', 'private-key', 'alice', 'bob,carol', 0, false, 'full'],
        ['fx-priv', 'public-key', 'carol', '', 0, true, 'full'],
      ]);
      assert.equal(listed.total_key_count, 5);
      // Bob, a shared user, signs with the imported private key; openssl verifies with the fixture's public key.
      const data = path.join(dir, 'data.txt');
      fs.writeFileSync(data, 'signed with a seeded key\n');
      const sign = ['crypto', 'sign', 'rsa-pkcs', '--hash-function', 'sha256', '--data-path', data];
      // Two keys are labelled fx-priv (labels need not be unique): the class picks one.
      const signed = await as('bob', [
        ...sign,
        '--key-filter',
        'attr.label=fx-priv',
        'attr.class=private-key',
      ]);
      const sig = path.join(dir, 'data.sig');
      fs.writeFileSync(sig, Buffer.from(signed.signature, 'base64'));
      const openssl = (pem: string) =>
        execFileSync('openssl', ['dgst', '-sha256', '-verify', pem, '-signature', sig, data], {
          encoding: 'utf8',
        }).trim();
      assert.equal(openssl(path.join(dir, 'keys', 'partner.pub')), 'Verified OK');
      // The public half stored beside it is that same key.
      const pem = path.join(dir, 'fx-pub.pem');
      await as('alice', [
        'key',
        'generate-file',
        '--encoding',
        'pem',
        '--path',
        pem,
        '--filter',
        'attr.label=fx-pub',
      ]);
      assert.equal(openssl(pem), 'Verified OK');
      // The seeded use-key quorum of the generated RSA key holds.
      const quorum = await run('bob', [...sign, '--key-filter', 'attr.label=rsa-priv']);
      assert.deepEqual(quorum, { error_code: 1, data: 'Quorum Failed' });
      // Carol, not shared on bob's secret key, does not see it.
      assert.equal((await as('carol', ['key', 'list', '--filter', 'attr.label=bob-aes'])).total_key_count, 0);
    } finally {
      await cluster.stop();
    }
  });
});
