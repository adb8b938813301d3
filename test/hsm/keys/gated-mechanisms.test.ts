// Ed25519 (hsm2m.medium non-FIPS only) and ML-DSA (hsm2m.medium only) through the node's handle(): the gate on
// generation, sign and verify, the key objects, the mechanism/key-type and option checks, copies to another HSM.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import crypto from 'node:crypto';
import type { Session } from '../../../src/hsm/session.js';
import type { OpArgs } from '../../../src/protocol/operations.js';
import { ManualClock } from '../../helpers/cluster.js';
import { TEST_MASKING } from '../../helpers/node.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../../helpers/typed-node.js';

const PASS = 'crypto-pass-1';

async function hsm(settings: Record<string, string>): Promise<{ t: TestNode; alice: Session }> {
  const t = await startTestNode(new ManualClock(), settings);
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  await t.ok(admin, 'user-create', { username: 'alice', role: 'crypto-user', password: PASS });
  return { t, alice: await t.login('alice', PASS, 'crypto-user') };
}

const edPair: OpArgs<'key-generate'> = {
  type: 'ec',
  curve: 'ed25519',
  publicLabel: 'ed-pub',
  privateLabel: 'ed-priv',
  publicAttributes: ['verify=true'],
  privateAttributes: ['sign=true'],
};
const mlPair = (mldsaAlgorithm: string): OpArgs<'key-generate'> => ({
  type: 'ml-dsa',
  mldsaAlgorithm,
  publicLabel: 'ml-pub',
  privateLabel: 'ml-priv',
  publicAttributes: ['verify=true'],
  privateAttributes: ['sign=true'],
});
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
const sha512 = (s: string) => crypto.createHash('sha512').update(s).digest();

describe('the Ed25519 and ML-DSA gate', () => {
  it('refuses Ed25519 on hsm2m.medium in FIPS mode (the default), with the reason; ML-DSA is there', async () => {
    const { t, alice } = await hsm({});
    const refused = await t.fails(alice, 'key-generate', edPair);
    assert.equal(refused.code, 'ERR_MECHANISM_UNSUPPORTED');
    assert.equal(
      refused.message,
      'Operation not supported by the HSM: ed25519 exists on hsm2m.medium HSMs in non-FIPS mode only; this cluster is hsm2m.medium in FIPS mode (create one with localhsm up --hsm-type hsm2m.medium --mode non-fips)',
    );
    const { keys } = await t.ok(alice, 'key-generate', mlPair('ML-DSA-44'));
    assert.equal(keys.length, 2);
    // The mechanisms are refused too, whatever the key (here an ML-DSA key that exists).
    const sign = await t.fails(alice, 'crypto-sign', {
      ref: keys[1]!.ref,
      mechanism: 'ed25519',
      digest: b64('abc'),
    });
    assert.equal(sign.code, 'ERR_MECHANISM_UNSUPPORTED');
    const verify = await t.fails(alice, 'crypto-verify', {
      ref: keys[0]!.ref,
      mechanism: 'ed25519ph',
      hash: 'sha512',
      digest: b64(sha512('abc')),
      signature: b64(Buffer.alloc(64)),
    });
    assert.equal(verify.code, 'ERR_MECHANISM_UNSUPPORTED');
  });

  it('refuses both on hsm1.medium, even with a non-fips row (hsm1.medium is always FIPS)', async () => {
    const { t, alice } = await hsm({ hsm_type: 'hsm1.medium', hsm_mode: 'non-fips' });
    assert.equal(
      (await t.fails(alice, 'key-generate', edPair)).message,
      'Operation not supported by the HSM: ed25519 exists on hsm2m.medium HSMs in non-FIPS mode only; this cluster is hsm1.medium in FIPS mode (create one with localhsm up --hsm-type hsm2m.medium --mode non-fips)',
    );
    assert.equal(
      (await t.fails(alice, 'key-generate', mlPair('ML-DSA-65'))).message,
      "Operation not supported by the HSM: ML-DSA exists on hsm2m.medium HSMs only; this cluster's HSMs are hsm1.medium",
    );
  });
});

describe('Ed25519 and ML-DSA keys on an hsm2m.medium non-FIPS HSM', () => {
  it('generates an Ed25519 pair (ec, curve ed25519), signs ed25519 and ed25519ph, verifies, refuses ecdsa', async () => {
    const { t, alice } = await hsm({ hsm_mode: 'non-fips' });
    const { keys, copies } = await t.ok(alice, 'key-generate', edPair);
    assert.equal(copies.length, 2);
    const [pub, priv] = keys;
    assert.equal(pub!.attributes!['curve'], 'ed25519');
    assert.equal(pub!.attributes!['key-length-bytes'], 32);
    assert.equal(priv!.attributes!['key-length-bytes'], 48);
    assert.equal(pub!.attributes!['check-value'], priv!.attributes!['check-value']);
    const point = Buffer.from(String(pub!.attributes!['ec-point']).slice(6), 'hex');

    const pure = await t.ok(alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ed25519',
      digest: b64('abc'),
    });
    assert.ok(
      crypto.verify(
        null,
        Buffer.from('abc'),
        { key: { kty: 'OKP', crv: 'Ed25519', x: point.toString('base64url') }, format: 'jwk' },
        Buffer.from(pure.signature, 'base64'),
      ),
    );
    await t.ok(alice, 'crypto-verify', {
      ref: pub!.ref,
      mechanism: 'ed25519',
      digest: b64('abc'),
      signature: pure.signature,
    });
    const wrong = await t.fails(alice, 'crypto-verify', {
      ref: pub!.ref,
      mechanism: 'ed25519',
      digest: b64('message'),
      signature: pure.signature,
    });
    assert.equal(wrong.message, 'Signature verification failed');

    const ph = await t.ok(alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ed25519ph',
      hash: 'sha512',
      digest: b64(sha512('abc')),
    });
    assert.equal(ed25519ph.verify(Buffer.from(ph.signature, 'base64'), Buffer.from('abc'), point), true);
    await t.ok(alice, 'crypto-verify', {
      ref: pub!.ref,
      mechanism: 'ed25519ph',
      hash: 'sha512',
      digest: b64(sha512('abc')),
      signature: ph.signature,
    });

    const ecdsa = await t.fails(alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ecdsa',
      hash: 'sha256',
      digest: b64(Buffer.alloc(32)),
    });
    assert.equal(
      ecdsa.message,
      'The key cannot be used with this mechanism: ecdsa needs an ec key on a Weierstrass curve, not an ed25519 key',
    );
    const hashed = await t.fails(alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ed25519',
      hash: 'sha512',
      digest: b64('abc'),
    });
    assert.equal(hashed.message, 'Invalid ed25519 parameters: takes no hash function');
    const sha256 = await t.fails(alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ed25519ph',
      hash: 'sha256',
      digest: b64(Buffer.alloc(32)),
    });
    assert.equal(sha256.message, 'Invalid ed25519ph parameters: the hash function must be sha512');
    // The key's private material is sealed at rest, as every private key.
    const stored = t.store.getKey(Number(priv!.ref))!;
    assert.equal(TEST_MASKING.openMaterial(stored.ref, stored.material).length, 48);
  });

  it('refuses ed25519 on a P-256 key and ecdsa keys stay as they were', async () => {
    const { t, alice } = await hsm({ hsm_mode: 'non-fips' });
    const { keys } = await t.ok(alice, 'key-generate', { ...edPair, curve: 'prime256v1' });
    const refused = await t.fails(alice, 'crypto-sign', {
      ref: keys[1]!.ref,
      mechanism: 'ed25519',
      digest: b64('abc'),
    });
    assert.equal(
      refused.message,
      'The key cannot be used with this mechanism: ed25519 needs an ec key on curve ed25519, not an ec key',
    );
    await t.ok(alice, 'crypto-sign', {
      ref: keys[1]!.ref,
      mechanism: 'ecdsa',
      hash: 'sha256',
      digest: b64(Buffer.alloc(32)),
    });
  });

  it('generates ML-DSA-65 with mldsa-algorithm between private and sensitive, signs raw and external-mu', async () => {
    const { t, alice } = await hsm({ hsm_mode: 'non-fips' });
    const { keys, copies } = await t.ok(alice, 'key-generate', mlPair('ML-DSA-65'));
    const [pub, priv] = keys;
    const names = Object.keys(priv!.attributes!);
    assert.deepEqual(names.slice(names.indexOf('private'), names.indexOf('private') + 3), [
      'private',
      'mldsa-algorithm',
      'sensitive',
    ]);
    assert.equal(names.at(-1), 'key-length-bytes');
    assert.equal(priv!.attributes!['mldsa-algorithm'], 'ML-DSA-65');
    assert.equal(pub!.attributes!['key-length-bytes'], 1952);
    assert.equal(priv!.attributes!['key-length-bytes'], 4032);
    const pem = (await t.ok(alice, 'key-export', { ref: pub!.ref, encoding: 'pem' })).pem;
    const raw = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64').subarray(-1952);

    const signed = await t.ok(alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ml-dsa',
      hash: 'shake256',
      dataType: 'raw',
      digest: b64('abc123'),
    });
    const signature = Buffer.from(signed.signature, 'base64');
    assert.equal(signature.length, 3309);
    assert.equal(ml_dsa65.verify(signature, Buffer.from('abc123'), raw), true);
    await t.ok(alice, 'crypto-verify', {
      ref: pub!.ref,
      mechanism: 'ml-dsa',
      hash: 'shake256',
      dataType: 'raw',
      digest: b64('abc123'),
      signature: signed.signature,
    });
    const shake = (d: Buffer) => crypto.createHash('shake256', { outputLength: 64 }).update(d).digest();
    const mu = shake(Buffer.concat([shake(raw), Buffer.from([0, 0]), Buffer.from('abc123')]));
    const external = await t.ok(alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ml-dsa',
      hash: 'shake256',
      dataType: 'external-mu',
      digest: b64(mu),
    });
    assert.equal(
      ml_dsa65.verify(Buffer.from(external.signature, 'base64'), Buffer.from('abc123'), raw),
      true,
    );
    const noType = await t.fails(alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ml-dsa',
      hash: 'shake256',
      digest: b64('abc123'),
    });
    assert.equal(noType.message, 'Invalid ml-dsa parameters: the data type (raw or external-mu) is required');
    assert.equal(
      (
        await t.fails(alice, 'key-set-attribute', {
          ref: priv!.ref,
          name: 'mldsa-algorithm',
          value: 'ML-DSA-44',
        })
      ).code,
      'ERR_ATTRIBUTE_VALUE',
    );
    assert.equal(
      (await t.fails(alice, 'key-export', { ref: priv!.ref, encoding: 'reference-pem' })).code,
      'ERR_KEY_ENCODING',
    );
    // Found by its algorithm, and its copy goes to another HSM of the cluster, where it signs too.
    const listed = await t.ok(alice, 'key-list', {
      filter: ['attr.mldsa-algorithm=ML-DSA-65', 'attr.class=private-key'],
      maxItems: 10,
      offset: 0,
      verbose: false,
    });
    assert.deepEqual(
      listed.keys.map((k) => k.ref),
      [priv!.ref],
    );
    const other = await hsm({ hsm_mode: 'non-fips' });
    await other.t.ok(other.alice, 'key-insert', { copy: copies[1]! });
    const there = await other.t.ok(other.alice, 'crypto-sign', {
      ref: priv!.ref,
      mechanism: 'ml-dsa',
      hash: 'shake256',
      dataType: 'raw',
      digest: b64('abc123'),
    });
    assert.equal(ml_dsa65.verify(Buffer.from(there.signature, 'base64'), Buffer.from('abc123'), raw), true);
  });
});
