// ML-DSA-44/65/87: FIPS 204 sizes, round trips, an independent verifier path (noble's verify on the key read back
// from the exported PEM, mu computed here with Node's SHAKE256), external-mu, wrong message/key, encodings.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { HsmError } from '../../src/errors.js';
import { deriveAttributes } from '../../src/keys/derived.js';
import {
  ML_DSA_ALGORITHMS,
  generateMlDsaPair,
  mlDsaExternalMu,
  mlDsaPrivateKey,
  mlDsaPublicFromPrivate,
  mlDsaPublicKey,
  mlDsaSign,
  mlDsaVerify,
} from '../../src/keys/ml-dsa.js';
import { publicKeyPem } from '../../src/keys/pem.js';

const NOBLE = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 } as const;
/** FIPS 204 Table 2, and the spec's §2.7 / §12.2 sizes. */
const SIZES = {
  'ML-DSA-44': { pk: 1312, sk: 2560, sig: 2420, oid: 17 },
  'ML-DSA-65': { pk: 1952, sk: 4032, sig: 3309, oid: 18 },
  'ML-DSA-87': { pk: 2592, sk: 4896, sig: 4627, oid: 19 },
} as const;

/** The raw public key read back from a PEM by hand: the SPKI's last `pk` bytes after OID and BIT STRING header. */
function rawFromPem(pem: string, pkBytes: number, oid: number): Buffer {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  // SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.3.<oid> } BIT STRING (0 unused bits) pk }
  const algorithm = Buffer.from(`300b06096086480165030403${oid.toString(16)}`, 'hex');
  assert.ok(der.includes(algorithm), 'the SPKI names id-ml-dsa by its OID');
  assert.equal(der[der.length - pkBytes - 1], 0, 'no unused bits');
  return der.subarray(der.length - pkBytes);
}

const shake256 = (data: Buffer, length: number) =>
  crypto.createHash('shake256', { outputLength: length }).update(data).digest();

for (const algorithm of ML_DSA_ALGORITHMS) {
  describe(algorithm, () => {
    const size = SIZES[algorithm];
    const pair = generateMlDsaPair(algorithm);
    const pem = publicKeyPem(pair.publicDer);
    const raw = rawFromPem(pem, size.pk, size.oid);
    const message = Buffer.from('abc123');

    it('has the FIPS 204 key sizes as key-length-bytes, the algorithm, and SHA-1(SPKI) as check-value', () => {
      const kcv = `0x${crypto.createHash('sha1').update(pair.publicDer).digest('hex').slice(0, 6)}`;
      assert.deepEqual(
        deriveAttributes({ keyType: 'ml-dsa', class: 'public-key', material: pair.publicDer }),
        {
          'check-value': kcv,
          'key-length-bytes': size.pk,
          'mldsa-algorithm': algorithm,
        },
      );
      assert.deepEqual(
        deriveAttributes({ keyType: 'ml-dsa', class: 'private-key', material: pair.privateDer }),
        {
          'check-value': kcv,
          'key-length-bytes': size.sk,
          'mldsa-algorithm': algorithm,
        },
      );
      assert.equal(mlDsaPrivateKey(pair.privateDer).raw.length, size.sk);
      assert.deepEqual(mlDsaPublicFromPrivate(pair.privateDer), pair.publicDer);
      assert.deepEqual(mlDsaPublicKey(pair.publicDer), { algorithm, raw });
    });

    it('signs raw data with a signature of the documented size that noble verifies on the exported key', () => {
      const signature = mlDsaSign(pair.privateDer, message, 'raw');
      assert.equal(signature.length, size.sig);
      assert.equal(NOBLE[algorithm].verify(signature, message, raw), true);
      assert.equal(mlDsaVerify(pair.publicDer, message, 'raw', signature), true);
      assert.equal(NOBLE[algorithm].verify(signature, Buffer.from('abc124'), raw), false);
      assert.equal(mlDsaVerify(pair.publicDer, Buffer.from('abc124'), 'raw', signature), false);
      const other = generateMlDsaPair(algorithm);
      assert.equal(mlDsaVerify(other.publicDer, message, 'raw', signature), false);
      const flipped = Buffer.from(signature);
      flipped[100]! ^= 1;
      assert.equal(mlDsaVerify(pair.publicDer, message, 'raw', flipped), false);
      assert.equal(mlDsaVerify(pair.publicDer, message, 'raw', signature.subarray(1)), false);
    });

    it('signs an external mu: the signature is one over the message itself (FIPS 204 Algorithm 7)', () => {
      // mu = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64): the empty context, computed independently.
      const mu = shake256(Buffer.concat([shake256(raw, 64), Buffer.from([0, 0]), message]), 64);
      assert.deepEqual(mlDsaExternalMu(pair.publicDer, message), mu);
      const signature = mlDsaSign(pair.privateDer, mu, 'external-mu');
      assert.equal(signature.length, size.sig);
      assert.equal(NOBLE[algorithm].verify(signature, message, raw), true);
      assert.equal(mlDsaVerify(pair.publicDer, mu, 'external-mu', signature), true);
      assert.equal(mlDsaVerify(pair.publicDer, message, 'raw', signature), true);
      const otherMu = Buffer.from(mu);
      otherMu[0]! ^= 1;
      assert.equal(mlDsaVerify(pair.publicDer, otherMu, 'external-mu', signature), false);
    });
  });
}

describe('ML-DSA input checks and encodings', () => {
  const pair = generateMlDsaPair('ML-DSA-44');

  it('takes a 64-byte mu only, and the documented algorithm names only', () => {
    assert.throws(
      () => mlDsaSign(pair.privateDer, Buffer.alloc(32), 'external-mu'),
      (e: unknown) =>
        e instanceof HsmError &&
        e.message ===
          'Invalid data for ml-dsa: with --data-type external-mu the data must be the 64-byte mu, got 32 bytes',
    );
    assert.throws(
      () => generateMlDsaPair('ML-DSA-128'),
      (e: unknown) =>
        e instanceof HsmError &&
        e.message ===
          'Invalid key parameters: mldsa-algorithm must be one of ML-DSA-44, ML-DSA-65, ML-DSA-87, got ML-DSA-128',
    );
  });

  it('reads the seed-only PKCS#8 form (RFC 9881) as the same key', () => {
    // The stored form is `both`: SEQUENCE { seed, expandedKey }; the seed alone is [0] IMPLICIT OCTET STRING.
    const seed = crypto.randomBytes(32);
    const { secretKey, publicKey } = ml_dsa44.keygen(seed);
    const seedOnly = Buffer.concat([
      Buffer.from('3034020100300b0609608648016503040311', 'hex'),
      Buffer.from('04228020', 'hex'),
      seed,
    ]);
    assert.deepEqual(mlDsaPrivateKey(seedOnly).raw, Buffer.from(secretKey));
    const signature = mlDsaSign(seedOnly, Buffer.from('x'), 'raw');
    assert.equal(ml_dsa44.verify(signature, Buffer.from('x'), publicKey), true);
  });

  it('refuses what is not an ML-DSA key', () => {
    const ed = crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    assert.throws(() => mlDsaPublicKey(ed), /not an ML-DSA SubjectPublicKeyInfo/);
    assert.throws(() => mlDsaPrivateKey(Buffer.from('3000', 'hex')), /not an ML-DSA PrivateKeyInfo/);
  });
});
