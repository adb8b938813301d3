// Key wrap mechanisms against openssl (enc -id-aes*-wrap[-pad], pkeyutl OAEP/PKCS#1) and independent Node code,
// in both directions, plus the documented sizes (WR-1..WR-4) and the failure modes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { HsmError } from '../../src/errors.js';
import { generateEcPair, generateRsaPairSync, generateSecret } from '../../src/keys/material.js';
import { publicKeyPem } from '../../src/keys/pem.js';
import { HASHES, type HashName } from '../../src/keys/sign.js';
import { unwrapKey, wrapKey, type WrapMechanism } from '../../src/keys/wrap.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-wrap-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: Buffer | string) => {
  const f = path.join(dir, `f${n++}`);
  fs.writeFileSync(f, content);
  return f;
};
const openssl = (args: string[], input?: Buffer) =>
  execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
const code = (c: string) => (e: unknown) => e instanceof HsmError && e.code === c;

const rsa = generateRsaPairSync(2048);
const rsaPub = file(publicKeyPem(rsa.publicDer));
const rsaPriv = file(
  crypto
    .createPrivateKey({ key: rsa.privateDer, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' }),
);
const payloads = {
  aes128: generateSecret('aes', 16),
  aes256: generateSecret('aes', 32),
  secret5: generateSecret('generic-secret', 5),
  ecP256: generateEcPair('prime256v1').privateDer,
  rsa2048: generateRsaPairSync(2048).privateDer,
};

describe('AES key wrap mechanisms with openssl enc', () => {
  for (const len of [16, 24, 32]) {
    const kek = generateSecret('aes', len);
    const K = kek.toString('hex');
    const bits = len * 8;

    it(`aes-no-pad (RFC 3394) with AES-${bits}: openssl unwraps ours, we unwrap openssl's`, () => {
      for (const payload of [payloads.aes128, payloads.aes256, payloads.rsa2048.subarray(0, 1216)]) {
        const { wrapped, iv } = wrapKey('aes-no-pad', kek, payload);
        assert.equal(iv, undefined);
        assert.equal(wrapped.length, payload.length + 8);
        assert.deepEqual(
          openssl(['enc', '-d', `-id-aes${bits}-wrap`, '-K', K, '-iv', 'A6A6A6A6A6A6A6A6'], wrapped),
          payload,
        );
        const theirs = openssl(['enc', `-id-aes${bits}-wrap`, '-K', K, '-iv', 'A6A6A6A6A6A6A6A6'], payload);
        assert.deepEqual(unwrapKey('aes-no-pad', kek, theirs), payload);
      }
      assert.throws(() => wrapKey('aes-no-pad', kek, payloads.secret5), code('ERR_WRAP_PAYLOAD'));
      assert.throws(() => wrapKey('aes-no-pad', kek, payloads.ecP256), code('ERR_WRAP_PAYLOAD'));
    });

    it(`aes-pkcs5-pad with AES-${bits}: PKCS#5 padding then RFC 3394, both ways`, () => {
      assert.throws(() => wrapKey('aes-pkcs5-pad', kek, payloads.secret5), code('ERR_WRAP_PAYLOAD'));
      for (const payload of [payloads.aes128, payloads.aes256, payloads.ecP256, payloads.rsa2048]) {
        const { wrapped } = wrapKey('aes-pkcs5-pad', kek, payload);
        const pad = 8 - (payload.length % 8);
        const padded = openssl(
          ['enc', '-d', `-id-aes${bits}-wrap`, '-K', K, '-iv', 'A6A6A6A6A6A6A6A6'],
          wrapped,
        );
        assert.deepEqual(padded, Buffer.concat([payload, Buffer.alloc(pad, pad)]));
        const theirs = openssl(['enc', `-id-aes${bits}-wrap`, '-K', K, '-iv', 'A6A6A6A6A6A6A6A6'], padded);
        assert.deepEqual(unwrapKey('aes-pkcs5-pad', kek, theirs), payload);
      }
    });

    it(`aes-zero-pad (RFC 5649) with AES-${bits}: both ways`, () => {
      for (const payload of Object.values(payloads)) {
        const { wrapped } = wrapKey('aes-zero-pad', kek, payload);
        assert.equal(wrapped.length, Math.ceil(payload.length / 8) * 8 + 8);
        assert.deepEqual(
          openssl(['enc', '-d', `-id-aes${bits}-wrap-pad`, '-K', K, '-iv', 'A65959A6'], wrapped),
          payload,
        );
        const theirs = openssl(['enc', `-id-aes${bits}-wrap-pad`, '-K', K, '-iv', 'A65959A6'], payload);
        assert.deepEqual(unwrapKey('aes-zero-pad', kek, theirs), payload);
      }
    });
  }

  it('WR-2: a 16-byte key wrapped with aes-pkcs5-pad is 32 bytes', () => {
    assert.equal(wrapKey('aes-pkcs5-pad', payloads.aes256, payloads.aes128).wrapped.length, 32);
  });
});

describe('AES-GCM mechanisms with independent Node code', () => {
  const kek = generateSecret('aes', 32);
  const aad = Buffer.from([0x10]);

  it('aes-gcm: a fresh 96-bit IV returned apart; ciphertext ‖ tag; WR-1 size (16-byte key, 64-bit tag → 24 bytes)', () => {
    const { wrapped, iv } = wrapKey('aes-gcm', kek, payloads.aes128, { tagLengthBits: 64, aad });
    assert.equal(iv?.length, 12);
    assert.equal(wrapped.length, 24);
    const d = crypto.createDecipheriv('aes-256-gcm', kek, iv!, { authTagLength: 8 });
    d.setAAD(aad);
    d.setAuthTag(wrapped.subarray(16));
    assert.deepEqual(Buffer.concat([d.update(wrapped.subarray(0, 16)), d.final()]), payloads.aes128);
    assert.notDeepEqual(wrapKey('aes-gcm', kek, payloads.aes128, { tagLengthBits: 64, aad }).iv, iv);
  });

  it('aes-gcm: keys sealed outside unwrap inside with the same IV, tag length and AAD only', () => {
    for (const tagLengthBits of [96, 128]) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', kek, iv, { authTagLength: tagLengthBits / 8 });
      c.setAAD(aad);
      const sealed = Buffer.concat([c.update(payloads.rsa2048), c.final(), c.getAuthTag()]);
      assert.deepEqual(unwrapKey('aes-gcm', kek, sealed, { tagLengthBits, aad, iv }), payloads.rsa2048);
      assert.throws(
        () => unwrapKey('aes-gcm', kek, sealed, { tagLengthBits, iv }),
        code('ERR_UNWRAP_FAILED'),
      );
      assert.throws(
        () => unwrapKey('aes-gcm', kek, sealed, { tagLengthBits, aad, iv: crypto.randomBytes(12) }),
        code('ERR_UNWRAP_FAILED'),
      );
    }
    assert.throws(
      () => unwrapKey('aes-gcm', kek, Buffer.alloc(40), { tagLengthBits: 128 }),
      code('ERR_MECHANISM_PARAMETERS'),
    );
    assert.throws(
      () => wrapKey('aes-gcm', kek, payloads.aes128, { tagLengthBits: 72 }),
      code('ERR_MECHANISM_PARAMETERS'),
    );
  });

  it('cloudhsm-aes-gcm: IV ‖ ciphertext ‖ tag in one blob, both ways', () => {
    const { wrapped, iv } = wrapKey('cloudhsm-aes-gcm', kek, payloads.ecP256, { tagLengthBits: 128 });
    assert.equal(iv, undefined);
    assert.equal(wrapped.length, 12 + payloads.ecP256.length + 16);
    const d = crypto.createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
    d.setAuthTag(wrapped.subarray(wrapped.length - 16));
    assert.deepEqual(
      Buffer.concat([d.update(wrapped.subarray(12, wrapped.length - 16)), d.final()]),
      payloads.ecP256,
    );
    assert.deepEqual(unwrapKey('cloudhsm-aes-gcm', kek, wrapped, { tagLengthBits: 128 }), payloads.ecP256);
  });
});

describe('RSA mechanisms with openssl pkeyutl', () => {
  const oaepOpts = (hash: HashName) => [
    '-pkeyopt',
    'rsa_padding_mode:oaep',
    '-pkeyopt',
    `rsa_oaep_md:${hash}`,
    '-pkeyopt',
    `rsa_mgf1_md:${hash}`,
  ];

  for (const hash of HASHES)
    it(`rsa-oaep ${hash}: openssl decrypts ours, we unwrap openssl's`, () => {
      const payload = hash === 'sha512' ? payloads.aes256 : payloads.ecP256;
      const params = { hash, mgf: `mgf1-${hash}` as const };
      const { wrapped } = wrapKey('rsa-oaep', rsa.publicDer, payload, params);
      assert.equal(wrapped.length, 256);
      assert.deepEqual(
        openssl(['pkeyutl', '-decrypt', '-inkey', rsaPriv, ...oaepOpts(hash)], wrapped),
        payload,
      );
      const theirs = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', rsaPub, ...oaepOpts(hash)], payload);
      assert.deepEqual(unwrapKey('rsa-oaep', rsa.privateDer, theirs, params), payload);
    });

  it('rsa-oaep refuses payloads too long for the key and a mismatched MGF', () => {
    assert.throws(
      () => wrapKey('rsa-oaep', rsa.publicDer, payloads.rsa2048, { hash: 'sha256', mgf: 'mgf1-sha256' }),
      (e) => code('ERR_WRAP_PAYLOAD')(e) && /rsa-aes/.test((e as Error).message),
    );
    assert.throws(
      () => wrapKey('rsa-oaep', rsa.publicDer, payloads.aes128, { hash: 'sha256', mgf: 'mgf1-sha1' }),
      code('ERR_MECHANISM_PARAMETERS'),
    );
  });

  it("rsa-pkcs: WR-4 size (256 bytes), openssl decrypts ours, we unwrap openssl's", () => {
    const { wrapped } = wrapKey('rsa-pkcs', rsa.publicDer, payloads.aes128);
    assert.equal(wrapped.length, 256);
    assert.deepEqual(openssl(['pkeyutl', '-decrypt', '-inkey', rsaPriv], wrapped), payloads.aes128);
    const theirs = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', rsaPub], payloads.ecP256);
    assert.deepEqual(unwrapKey('rsa-pkcs', rsa.privateDer, theirs), payloads.ecP256);
    const bad = Buffer.from(theirs);
    bad[100]! ^= 1;
    assert.throws(() => unwrapKey('rsa-pkcs', rsa.privateDer, bad), code('ERR_UNWRAP_FAILED'));
  });

  for (const hash of ['sha1', 'sha256', 'sha512'] as const)
    it(`rsa-aes ${hash}: OAEP(ephemeral AES key) ‖ RFC 5649, taken apart and made by openssl`, () => {
      const params = { hash, mgf: `mgf1-${hash}` as const };
      for (const payload of [payloads.aes128, payloads.rsa2048]) {
        const { wrapped } = wrapKey('rsa-aes', rsa.publicDer, payload, params);
        const ephemeral = openssl(
          ['pkeyutl', '-decrypt', '-inkey', rsaPriv, ...oaepOpts(hash)],
          wrapped.subarray(0, 256),
        );
        assert.equal(ephemeral.length, 32);
        const K = ephemeral.toString('hex');
        assert.deepEqual(
          openssl(['enc', '-d', '-id-aes256-wrap-pad', '-K', K, '-iv', 'A65959A6'], wrapped.subarray(256)),
          payload,
        );
        // Outside: a fresh AES-128 key this time (any AES size unwraps).
        const theirKey = crypto.randomBytes(16);
        const head = openssl(
          ['pkeyutl', '-encrypt', '-pubin', '-inkey', rsaPub, ...oaepOpts(hash)],
          theirKey,
        );
        const tail = openssl(
          ['enc', '-id-aes128-wrap-pad', '-K', theirKey.toString('hex'), '-iv', 'A65959A6'],
          payload,
        );
        assert.deepEqual(unwrapKey('rsa-aes', rsa.privateDer, Buffer.concat([head, tail]), params), payload);
      }
      assert.equal(
        wrapKey('rsa-aes', rsa.publicDer, payloads.aes128, params).wrapped.length,
        280,
        'WR-3 size',
      );
    });
});

describe('unwrap failures are one opaque error', () => {
  const kek = generateSecret('aes', 16);
  const other = generateSecret('aes', 16);
  const cases: [WrapMechanism, object][] = [
    ['aes-no-pad', {}],
    ['aes-pkcs5-pad', {}],
    ['aes-zero-pad', {}],
    ['cloudhsm-aes-gcm', { tagLengthBits: 128 }],
  ];
  for (const [mechanism, params] of cases)
    it(`${mechanism}: wrong key, flipped byte, truncation → Unwrap failed`, () => {
      const { wrapped } = wrapKey(mechanism, kek, payloads.aes256, params);
      assert.deepEqual(unwrapKey(mechanism, kek, wrapped, params), payloads.aes256);
      assert.throws(() => unwrapKey(mechanism, other, wrapped, params), code('ERR_UNWRAP_FAILED'));
      const bad = Buffer.from(wrapped);
      bad[bad.length - 3]! ^= 1;
      assert.throws(() => unwrapKey(mechanism, kek, bad, params), code('ERR_UNWRAP_FAILED'));
      assert.throws(
        () => unwrapKey(mechanism, kek, wrapped.subarray(0, 8), params),
        code('ERR_UNWRAP_FAILED'),
      );
      try {
        unwrapKey(mechanism, other, wrapped, params);
      } catch (e) {
        assert.equal((e as Error).message, 'Unwrap failed');
      }
    });

  it('an RSA key for an AES mechanism (or the reverse) is a parameter error, not an unwrap failure', () => {
    assert.throws(
      () => wrapKey('aes-zero-pad', rsa.publicDer, payloads.aes128),
      code('ERR_MECHANISM_PARAMETERS'),
    );
    assert.throws(
      () => wrapKey('rsa-pkcs', generateEcPair('prime256v1').publicDer, payloads.aes128),
      code('ERR_MECHANISM_PARAMETERS'),
    );
  });
});
