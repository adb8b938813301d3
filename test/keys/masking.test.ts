// Masked key material: round trip, binding to the context, tamper detection, and an independent decryption
// of the documented blob layout.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { HsmError } from '../../src/errors.js';
import { maskMaterial, newMaskingKey, unmaskMaterial } from '../../src/keys/masking.js';

const unmaskError = (e: unknown) => e instanceof HsmError && e.code === 'ERR_KEY_UNMASK';

describe('masking', () => {
  const key = newMaskingKey();
  const material = crypto.randomBytes(1217);
  const ref = '0x00000000001c0686';

  it('round-trips and never stores the material in clear', () => {
    const blob = maskMaterial(key, ref, material);
    assert.equal(blob.length, 1 + 12 + 16 + material.length);
    assert.equal(blob.includes(material.subarray(0, 16)), false);
    assert.deepEqual(unmaskMaterial(key, ref, blob), material);
    assert.notDeepEqual(maskMaterial(key, ref, material), blob, 'a fresh IV each time');
  });

  it('follows the documented layout (decrypted here without the module)', () => {
    const blob = maskMaterial(key, ref, material);
    assert.equal(blob[0], 1);
    const d = crypto.createDecipheriv('aes-256-gcm', key, blob.subarray(1, 13));
    d.setAAD(Buffer.concat([Buffer.from('localhsm-mask-v1'), Buffer.from([0]), Buffer.from(ref)]));
    d.setAuthTag(blob.subarray(13, 29));
    assert.deepEqual(Buffer.concat([d.update(blob.subarray(29)), d.final()]), material);
  });

  it('fails with ERR_KEY_UNMASK on another key, another context, any flipped byte, truncation or version', () => {
    const blob = maskMaterial(key, ref, material);
    assert.throws(() => unmaskMaterial(newMaskingKey(), ref, blob), unmaskError);
    assert.throws(() => unmaskMaterial(key, '0x00000000001c0687', blob), unmaskError);
    for (const at of [1, 12, 13, 28, 29, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[at]! ^= 0x01;
      assert.throws(() => unmaskMaterial(key, ref, bad), unmaskError, `byte ${at}`);
    }
    assert.throws(() => unmaskMaterial(key, ref, blob.subarray(0, 20)), unmaskError);
    const v2 = Buffer.from(blob);
    v2[0] = 2;
    assert.throws(() => unmaskMaterial(key, ref, v2), unmaskError);
    assert.throws(() => maskMaterial(Buffer.alloc(16), ref, material), unmaskError);
  });

  it('error texts name the context, never the material', () => {
    try {
      unmaskMaterial(newMaskingKey(), ref, maskMaterial(key, ref, Buffer.from('secret-bytes')));
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof HsmError);
      assert.match(e.message, /0x00000000001c0686/);
      assert.doesNotMatch(e.message, /secret-bytes/);
    }
  });
});
