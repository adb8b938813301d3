// cloudhsm-cli with Ed25519, Ed25519ph and ML-DSA on a 2-HSM hsm2m.medium cluster: non-FIPS (every mechanism,
// openssl verifying and making Ed25519 signatures, noble verifying the others on the exported PEM) and FIPS
// (the default: Ed25519 refused, ML-DSA there); `localhsm up --mode` and `status`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { paths } from '../../src/cluster/state-dir.js';
import { readSetting } from '../../src/hsm/settings.js';
import { SqliteStore } from '../../src/hsm/store/sqlite.js';
import { ADMIN_PASSWORD, type TestCluster, startActivatedCluster, tempDir } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

const PASS = 'crypto-pass-1';
type Run = { json: { error_code: number; data: any } | undefined; stdout: string; stderr: string };

async function clusterWithAlice(mode?: 'non-fips') {
  const c = await startActivatedCluster({ hsms: 2, ...(mode && { mode }) });
  const created = await c.as('admin', 'admin', ADMIN_PASSWORD, [
    ...['user', 'create', '--username', 'alice', '--role', 'crypto-user', '--password', PASS],
  ]);
  assert.equal(created.json?.error_code, 0, created.stdout + created.stderr);
  return c;
}

const ok = async (run: Promise<Run>) => {
  const r = await run;
  assert.equal(r.json?.error_code, 0, r.stdout + r.stderr);
  return r.json!.data;
};
const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const pairArgs = (kind: string[], label: string) => [
  ...['key', 'generate-asymmetric-pair', ...kind],
  ...['--public-label', `${label}-pub`, '--private-label', `${label}-priv`],
  ...['--public-attributes', 'verify=true', '--private-attributes', 'sign=true'],
];

describe('Ed25519, Ed25519ph and ML-DSA through cloudhsm-cli on an hsm2m.medium non-FIPS cluster', () => {
  let c: TestCluster;
  const work = tempDir('localhsm-eddsa-cli-');
  const file = (name: string, content?: Buffer | string) => {
    const f = path.join(work, name);
    if (content !== undefined) fs.writeFileSync(f, content);
    return f;
  };
  const alice = (args: string[]) => c.as('crypto-user', 'alice', PASS, args);
  const exportPem = async (label: string) => {
    await ok(
      alice([
        'key',
        'generate-file',
        '--encoding',
        'pem',
        '--path',
        file(`${label}.pem`),
        '--filter',
        `attr.label=${label}`,
      ]),
    );
    return fs.readFileSync(file(`${label}.pem`), 'utf8');
  };

  before(async () => {
    c = await clusterWithAlice('non-fips');
  });
  after(async () => {
    await c.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('signs with ed25519 what openssl pkeyutl -rawin verifies, and verifies what openssl signed', async () => {
    const pair = await ok(alice(pairArgs(['ec', '--curve', 'ed25519'], 'ed')));
    assert.equal(pair.public_key.attributes.curve, 'ed25519');
    assert.equal(pair.public_key['key-info']['cluster-coverage'], 'full');
    const message = crypto.randomBytes(16_000);
    const signed = await ok(
      alice([
        'crypto',
        'sign',
        'ed25519',
        '--key-filter',
        'attr.label=ed-priv',
        '--data-path',
        file('m', message),
      ]),
    );
    fs.writeFileSync(file('sig'), Buffer.from(signed.signature, 'base64'));
    await exportPem('ed-pub');
    assert.match(
      openssl([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        file('ed-pub.pem'),
        '-rawin',
        '-in',
        file('m'),
        '-sigfile',
        file('sig'),
      ]).toString(),
      /Signature Verified Successfully/,
    );
    // The other way: openssl makes a key and signs; its public key, imported, verifies in LocalHSM.
    openssl(['genpkey', '-algorithm', 'ed25519', '-out', file('openssl-ed.key')]);
    openssl(['pkey', '-in', file('openssl-ed.key'), '-pubout', '-out', file('openssl-ed.pub')]);
    const theirs = openssl([
      'pkeyutl',
      '-sign',
      '-inkey',
      file('openssl-ed.key'),
      '-rawin',
      '-in',
      file('m'),
    ]);
    const imported = await ok(
      alice([
        'key',
        'import',
        'pem',
        '--path',
        file('openssl-ed.pub'),
        '--label',
        'openssl-ed',
        '--key-type-class',
        'ec-public',
        '--attributes',
        'verify=true',
      ]),
    );
    assert.equal(imported.key.attributes.curve, 'ed25519');
    assert.equal(imported.key.attributes.local, false);
    await ok(
      alice([
        'crypto',
        'verify',
        'ed25519',
        '--key-filter',
        'attr.label=openssl-ed',
        '--data-path',
        file('m'),
        '--signature',
        theirs.toString('base64'),
      ]),
    );
    await ok(
      alice([
        'crypto',
        'verify',
        'ed25519',
        '--key-filter',
        'attr.label=ed-pub',
        '--data-path',
        file('m'),
        '--signature-path',
        file('sig'),
      ]),
    );
    const tampered = Buffer.from(signed.signature, 'base64');
    tampered[0]! ^= 1;
    const refused = await alice([
      'crypto',
      'verify',
      'ed25519',
      '--key-filter',
      'attr.label=ed-pub',
      '--data-path',
      file('m'),
      '--signature',
      tampered.toString('base64'),
    ]);
    assert.deepEqual(refused.json, { error_code: 1, data: 'Signature verification failed' });
    const tooLong = await alice([
      'crypto',
      'sign',
      'ed25519',
      '--key-filter',
      'attr.label=ed-priv',
      '--data-path',
      file('long', Buffer.alloc(16_001)),
    ]);
    assert.deepEqual(tooLong.json, {
      error_code: 1,
      data: 'Invalid data for ed25519: PureEdDSA signs at most 16000 bytes, got 16001',
    });
  });

  it('signs with ed25519ph (raw, and the same from --data-type digest) what noble verifies', async () => {
    await ok(alice(pairArgs(['ec', '--curve', 'ed25519'], 'ph')));
    const raw = Buffer.from(
      (await exportPem('ph-pub')).replace(/-----[A-Z ]+-----|\s/g, ''),
      'base64',
    ).subarray(-32);
    const data = Buffer.from('abc');
    const sign = (extra: string[]) =>
      ok(
        alice([
          'crypto',
          'sign',
          'ed25519ph',
          '--key-filter',
          'attr.label=ph-priv',
          '--hash-function',
          'sha512',
          ...extra,
        ]),
      );
    const fromRaw = await sign(['--data-type', 'raw', '--data', data.toString('base64')]);
    const digest = crypto.createHash('sha512').update(data).digest().toString('base64');
    const fromDigest = await sign(['--data-type', 'digest', '--data', digest]);
    assert.equal(fromDigest.signature, fromRaw.signature);
    assert.equal(ed25519ph.verify(Buffer.from(fromRaw.signature, 'base64'), data, raw), true);
    await ok(
      alice([
        'crypto',
        'verify',
        'ed25519ph',
        '--key-filter',
        'attr.label=ph-pub',
        '--hash-function',
        'sha512',
        '--data-type',
        'raw',
        '--data',
        'YWJj',
        '--signature',
        fromRaw.signature,
      ]),
    );
  });

  it('makes ML-DSA-87 keys and 4,627-byte signatures (raw and external-mu) that noble verifies on the PEM', async () => {
    const pair = await ok(alice(pairArgs(['ml-dsa', '--mldsa-algorithm', 'ML-DSA-87'], 'ml')));
    assert.equal(pair.private_key.attributes['mldsa-algorithm'], 'ML-DSA-87');
    assert.equal(pair.public_key.attributes['key-length-bytes'], 2592);
    assert.equal(pair.private_key.attributes['key-length-bytes'], 4896);
    const pem = await exportPem('ml-pub');
    const raw = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64').subarray(-2592);
    const message = crypto.randomBytes(5000);
    const signed = await ok(
      alice([
        'crypto',
        'sign',
        'ml-dsa',
        '--key-filter',
        'attr.label=ml-priv',
        '--data-type',
        'raw',
        '--hash-function',
        'shake256',
        '--data-path',
        file('ml-data', message),
      ]),
    );
    const signature = Buffer.from(signed.signature, 'base64');
    assert.equal(signature.length, 4627);
    assert.equal(ml_dsa87.verify(signature, message, raw), true);
    assert.equal(ml_dsa87.verify(signature, Buffer.from('other'), raw), false);
    const shake = (d: Buffer) => crypto.createHash('shake256', { outputLength: 64 }).update(d).digest();
    const mu = shake(Buffer.concat([shake(raw), Buffer.from([0, 0]), message]));
    const external = await ok(
      alice([
        'crypto',
        'sign',
        'ml-dsa',
        '--key-filter',
        'attr.label=ml-priv',
        '--data-type',
        'external-mu',
        '--hash-function',
        'shake256',
        '--data',
        mu.toString('base64'),
      ]),
    );
    assert.equal(ml_dsa87.verify(Buffer.from(external.signature, 'base64'), message, raw), true);
    fs.writeFileSync(file('ml-sig'), Buffer.from(external.signature, 'base64'));
    await ok(
      alice([
        'crypto',
        'verify',
        'ml-dsa',
        '--key-filter',
        'attr.label=ml-pub',
        '--data-type',
        'raw',
        '--hash-function',
        'shake256',
        '--data-path',
        file('ml-data'),
        '--signature-path',
        file('ml-sig'),
      ]),
    );
    const wrong = await alice([
      'crypto',
      'verify',
      'ml-dsa',
      '--key-filter',
      'attr.label=ml-pub',
      '--data-type',
      'raw',
      '--hash-function',
      'shake256',
      '--data',
      'YWJj',
      '--signature',
      external.signature,
    ]);
    assert.deepEqual(wrong.json, { error_code: 1, data: 'Signature verification failed' });
  });
});

describe('an hsm2m.medium cluster in FIPS mode (the default)', () => {
  let c: TestCluster;
  before(async () => {
    c = await clusterWithAlice();
  });
  after(() => c.close());

  it('refuses Ed25519 keys with the reason and makes ML-DSA keys', async () => {
    const refused = await c.as('crypto-user', 'alice', PASS, pairArgs(['ec', '--curve', 'ed25519'], 'ed'));
    assert.deepEqual(refused.json, {
      error_code: 1,
      data: 'Operation not supported by the HSM: ed25519 exists on hsm2m.medium HSMs in non-FIPS mode only; this cluster is hsm2m.medium in FIPS mode (create one with localhsm up --hsm-type hsm2m.medium --mode non-fips)',
    });
    const pemFile = path.join(c.dir, 'ed.pub');
    fs.writeFileSync(
      pemFile,
      crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const imported = await c.as('crypto-user', 'alice', PASS, [
      ...['key', 'import', 'pem', '--path', pemFile, '--label', 'ed', '--key-type-class', 'ec-public'],
    ]);
    assert.equal(imported.json?.data, refused.json?.data);
    const listed = await ok(c.as('crypto-user', 'alice', PASS, ['key', 'list']));
    assert.equal(listed.total_key_count, 0);
    await ok(
      c.as('crypto-user', 'alice', PASS, pairArgs(['ml-dsa', '--mldsa-algorithm', 'ML-DSA-44'], 'ml')),
    );
  });
});

describe('localhsm up --mode', () => {
  it('refuses non-fips for an hsm1.medium cluster (always FIPS) and creates nothing', async () => {
    const dir = tempDir();
    const r = await runLocalhsm([
      'up',
      '--state',
      dir,
      '--hsm-type',
      'hsm1.medium',
      '--mode',
      'non-fips',
      '--kdf',
      'fast',
      '--base-port',
      '0',
      '--detach',
    ]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr + r.stdout,
      /an hsm1\.medium cluster is always in FIPS mode: --mode non-fips needs --hsm-type hsm2m\.medium/,
    );
    assert.equal(fs.existsSync(path.join(dir, 'cluster.json')), false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts only fips and non-fips', async () => {
    const r = await runLocalhsm(['up', '--state', tempDir(), '--mode', 'fips-ish']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /invalid value 'fips-ish' for '--mode <MODE>'\n {2}\[possible values: fips, non-fips\]/,
    );
  });

  it('localhsm status shows the mode (table and JSON) and the HSMs hold it', async () => {
    const c = await startActivatedCluster({ hsms: 1, mode: 'non-fips' });
    try {
      const table = await runLocalhsm(['status', '--state', c.dir]);
      assert.match(table.stdout, /^Cluster cluster-[a-z2-7]{11} \(HSM type hsm2m\.medium, non-FIPS mode\)$/m);
      const json = JSON.parse((await runLocalhsm(['status', '--state', c.dir, '--json'])).stdout);
      assert.equal(json.mode, 'non-fips');
      assert.equal(JSON.parse(fs.readFileSync(path.join(c.dir, 'cluster.json'), 'utf8')).mode, 'non-fips');
      const store = new SqliteStore(paths(c.dir).hsm(c.manifest.hsms[0]!.id).db);
      try {
        assert.equal(readSetting(store, 'hsm_mode'), 'non-fips');
      } finally {
        store.close();
      }
    } finally {
      await c.close();
    }
  });
});
