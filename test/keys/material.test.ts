// Key generation parameters (spec §2.2, §5) and the checks on unwrapped material (§10.4).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { HsmError } from '../../src/errors.js';
import {
  checkRsaParameters,
  generateEcPair,
  generateRsaPair,
  generateSecret,
  materialForUnwrap,
  publicFromPrivate,
} from '../../src/keys/material.js';

const code = (e: unknown) => (e instanceof HsmError ? e.code : String(e));

describe('key material', () => {
  it('RSA sizes: 2048–4096 in 256-bit steps; odd exponents from 65537 to 2^32-1', async () => {
    for (const bad of [1024, 2047, 2100, 4352, 8192])
      assert.throws(
        () => checkRsaParameters(bad, 65537),
        (e) => code(e) === 'ERR_KEY_PARAMETERS',
      );
    for (const bad of [3, 65536, 65538, 2 ** 32 + 1])
      assert.throws(
        () => checkRsaParameters(2048, bad),
        (e) => code(e) === 'ERR_KEY_PARAMETERS',
      );
    const pair = await generateRsaPair(2304, 65539);
    const key = crypto.createPublicKey({ key: pair.publicDer, format: 'der', type: 'spki' });
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2304);
    assert.equal(key.asymmetricKeyDetails?.publicExponent, 65539n);
    assert.deepEqual(publicFromPrivate(pair.privateDer), pair.publicDer);
  });

  it('EC curves: the six documented names, others refused', () => {
    assert.equal(
      crypto.createPublicKey({ key: generateEcPair('secp256r1').publicDer, format: 'der', type: 'spki' })
        .asymmetricKeyDetails?.namedCurve,
      'prime256v1',
    );
    assert.throws(
      () => generateEcPair('secp192k1'),
      (e) => code(e) === 'ERR_KEY_PARAMETERS',
    );
  });

  it('secret lengths: AES 16/24/32, generic 1–800', () => {
    assert.equal(generateSecret('aes', 24).length, 24);
    assert.equal(generateSecret('generic-secret', 1).length, 1);
    assert.throws(
      () => generateSecret('aes', 20),
      (e) => code(e) === 'ERR_KEY_PARAMETERS',
    );
    assert.throws(
      () => generateSecret('generic-secret', 801),
      (e) => code(e) === 'ERR_KEY_PARAMETERS',
    );
    assert.throws(
      () => generateSecret('generic-secret', 0),
      (e) => code(e) === 'ERR_KEY_PARAMETERS',
    );
  });

  it('unwrapped material must be of the named class', () => {
    const ec = generateEcPair('secp384r1');
    const got = materialForUnwrap('ec-private', ec.privateDer);
    assert.equal(got.curve, 'secp384r1');
    assert.deepEqual(got.publicDer, ec.publicDer);
    for (const [cls, bytes] of [
      ['rsa-private', ec.privateDer],
      ['ec-private', Buffer.from('not a key')],
      ['aes', Buffer.alloc(17)],
      ['des3', Buffer.alloc(16)],
    ] as const)
      assert.throws(
        () => materialForUnwrap(cls, bytes),
        (e) => code(e) === 'ERR_UNWRAPPED_KEY',
        cls,
      );
    assert.equal(materialForUnwrap('aes', Buffer.alloc(32)).class, 'secret-key');
  });
});
