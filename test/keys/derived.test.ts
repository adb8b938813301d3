// The derived attributes of spec §2.7 against the documented values (§18, §21) and against openssl's view of
// freshly generated keys.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import {
  checkValue,
  deriveAttributes,
  ecPointDer,
  NO_CHECK_VALUE,
  spkiFromEcPoint,
  spkiFromRsa,
} from '../../src/keys/derived.js';
import { generateEcPair, generateRsaPairSync, generateSecret } from '../../src/keys/material.js';

// GR-1 (spec §21): an RSA-2048 pair whose check-value is 0x498e1f.
const GR1_MODULUS =
  '0xdfca0669dc8288ed3bad99509bd21c7e6192661407021b3f4cdf4a593d939dd24f4d641af8e4e73b04c847731c6dbdff3385818e08dd6efcbedd6e5b130344968ce89a065e7d1a46ced96b46b909db2ab6be871ee700fd0a448b6e975bb64cae77c49008749212463e37a577baa57ce3e574cb057e9db131e119badf50c938f26e8a5975c61a8ba7ffe7a1115abcebb7d20bd6df1948ae336ae23b52d73b7f3b6acc2543edb6358e08d326d280ce489571f4d34e316a2ea1904d513ca12fa04075fc09ad005c81b7345d7804ff24c45117f0a1020dca7794df037a10aadec8653473b2088711f7b7d8b58431654e14e31af0e00511da641058fb7475ffdbe60f';
// GE-1: a secp224r1 pair (raw point form) with check-value 0xd7c1a7.
const GE1_POINT =
  '0x047096513df542250a6b228fd9cb67fd0c903abc93488467681974d6f371083fce1d79da8ad1e9ede745fb9f38ac8622a1b3ebe9270556000c';
// OB-5: a secp384r1 key (DER OCTET STRING form, real output) with check-value 0xd13f67.
const OB5_POINT =
  '0x0461048618eb4af2f42cb3ad76ccde9c8ff0d929bce69077e29b3c2cd58fbdb2d16e6124bbfe75f5308e4ada71225f03194398b95d3644f5d68da1082fb1bb6dd7593d67ceae88d2bd2d777ba258fb9c3e0b336547264713a31640bda9bf2ba100f96c';

describe('derived attributes: documented values', () => {
  it('GR-1: the RSA public key gives check-value 0x498e1f, key-length-bytes 512 and its own modulus back', () => {
    const d = deriveAttributes({ keyType: 'rsa', class: 'public-key', material: spkiFromRsa(GR1_MODULUS) });
    assert.deepEqual(d, {
      'check-value': '0x498e1f',
      'key-length-bytes': 512,
      'public-exponent': '0x010001',
      modulus: GR1_MODULUS,
      'modulus-size-bits': 2048,
    });
  });

  it('GE-1: the secp224r1 key gives 0xd7c1a7, 57 bytes, and the DER form of its point', () => {
    const d = deriveAttributes({
      keyType: 'ec',
      class: 'public-key',
      material: spkiFromEcPoint('secp224r1', GE1_POINT),
      curve: 'secp224r1',
    });
    assert.equal(d['check-value'], '0xd7c1a7');
    assert.equal(d['key-length-bytes'], 57);
    assert.equal(d['ec-point'], '0x0439' + GE1_POINT.slice(2));
    assert.equal(d.curve, 'secp224r1');
    assert.deepEqual(Object.keys(d), ['check-value', 'key-length-bytes', 'ec-point', 'curve']);
  });

  it('OB-5: the secp384r1 key in DER point form gives 0xd13f67 and prints the point unchanged', () => {
    const d = deriveAttributes({
      keyType: 'ec',
      class: 'public-key',
      material: spkiFromEcPoint('secp384r1', OB5_POINT),
    });
    assert.equal(d['check-value'], '0xd13f67');
    assert.equal(d['ec-point'], OB5_POINT);
    assert.equal(d.curve, 'secp384r1');
  });

  it('AES: AES-ECB(key, zero block)[0:3], checked against openssl enc', () => {
    for (const len of [16, 24, 32]) {
      const key = generateSecret('aes', len);
      const out = execFileSync(
        'openssl',
        ['enc', `-aes-${len * 8}-ecb`, '-K', key.toString('hex'), '-nopad', '-nosalt'],
        { input: Buffer.alloc(16) },
      );
      assert.equal(
        checkValue({ keyType: 'aes', class: 'secret-key', material: key }),
        '0x' + out.subarray(0, 3).toString('hex'),
      );
      assert.equal(
        deriveAttributes({ keyType: 'aes', class: 'secret-key', material: key })['key-length-bytes'],
        len,
      );
    }
  });

  it('generic secrets have no KCV ("0x") and their length', () => {
    const key = generateSecret('generic-secret', 800);
    assert.deepEqual(deriveAttributes({ keyType: 'generic-secret', class: 'secret-key', material: key }), {
      'check-value': NO_CHECK_VALUE,
      'key-length-bytes': 800,
    });
  });

  it('ecPointDer uses the long length form for P-521 points', () => {
    const der = ecPointDer(Buffer.alloc(133, 4));
    assert.deepEqual([...der.subarray(0, 3)], [0x04, 0x81, 133]);
  });
});

describe('derived attributes: generated keys', () => {
  it('an RSA-2048 pair: both halves share the check-value; sizes and modulus agree with openssl', () => {
    const pair = generateRsaPairSync(2048);
    const pub = deriveAttributes({ keyType: 'rsa', class: 'public-key', material: pair.publicDer });
    const priv = deriveAttributes({ keyType: 'rsa', class: 'private-key', material: pair.privateDer });
    assert.equal(pub['check-value'], priv['check-value']);
    assert.equal(priv['key-length-bytes'], pair.privateDer.length);
    assert.ok(
      priv['key-length-bytes'] >= 1216 && priv['key-length-bytes'] <= 1219,
      String(priv['key-length-bytes']),
    );
    assert.equal(pub['key-length-bytes'], 512);
    const pem = crypto.createPublicKey({ key: pair.publicDer, format: 'der', type: 'spki' }).export({
      type: 'spki',
      format: 'pem',
    });
    const modulus = execFileSync('openssl', ['rsa', '-pubin', '-noout', '-modulus'], {
      input: pem,
    }).toString();
    assert.equal(modulus.trim(), 'Modulus=' + pub.modulus!.slice(2).toUpperCase());
    const sha1 = crypto.createHash('sha1').update(pair.publicDer).digest('hex').slice(0, 6);
    assert.equal(pub['check-value'], '0x' + sha1);
  });

  it('EC pairs: PKCS#8 lengths as documented (secp224r1 122, secp384r1 185) and the echoed curve name', () => {
    const expected: Record<string, number> = {
      secp224r1: 122,
      prime256v1: 138,
      secp256r1: 138,
      secp256k1: 135,
      secp384r1: 185,
      secp521r1: 241,
    };
    for (const [curve, length] of Object.entries(expected)) {
      const pair = generateEcPair(curve);
      const priv = deriveAttributes({
        keyType: 'ec',
        class: 'private-key',
        material: pair.privateDer,
        curve: curve as 'secp224r1',
      });
      assert.equal(priv['key-length-bytes'], length, curve);
      assert.equal(priv.curve, curve);
      const pub = deriveAttributes({ keyType: 'ec', class: 'public-key', material: pair.publicDer });
      assert.equal(pub['check-value'], priv['check-value']);
      assert.equal(pub['ec-point'], priv['ec-point']);
    }
  });
});
