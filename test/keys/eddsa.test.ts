// Ed25519 against the real openssl binary both ways (pure EdDSA, `pkeyutl -rawin`), Ed25519ph against RFC 8032
// §7.3 and noble's own ed25519ph (which hashes the message itself), and the derived attributes of an Ed25519 key.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { HsmError } from '../../src/errors.js';
import { deriveAttributes } from '../../src/keys/derived.js';
import {
  ED25519_MAX_MESSAGE,
  ed25519RawPublic,
  ed25519Sign,
  ed25519Verify,
  ed25519phSignDigest,
  ed25519phVerifyDigest,
  generateEd25519Pair,
} from '../../src/keys/eddsa.js';
import { publicKeyPem } from '../../src/keys/pem.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-eddsa-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: Buffer | string) => {
  const f = path.join(dir, `f${n++}`);
  fs.writeFileSync(f, content);
  return f;
};
const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const opensslVerifies = (pubPem: string, message: Buffer, signature: Buffer) => {
  try {
    openssl([
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      file(pubPem),
      '-rawin',
      '-in',
      file(message),
      '-sigfile',
      file(signature),
    ]);
    return true;
  } catch {
    return false;
  }
};
const sha512 = (data: Buffer | string) => crypto.createHash('sha512').update(data).digest();

/** RFC 8032 §7.3, "TEST abc": the Ed25519ph vector (also the signature of the AWS ed25519ph pages, SG-7). */
const RFC_SECRET = Buffer.from('833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'hex');
const RFC_PUBLIC = Buffer.from('ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf', 'hex');
const RFC_SIGNATURE = Buffer.from(
  '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41' +
    '31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406',
  'hex',
);
const rfcPrivate = () =>
  crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), RFC_SECRET]),
    format: 'der',
    type: 'pkcs8',
  });

describe('Ed25519 (PureEdDSA)', () => {
  const pair = generateEd25519Pair();
  const pubPem = publicKeyPem(pair.publicDer);

  it('exports the public key as the SPKI PEM openssl reads as an ED25519 key', () => {
    assert.match(pubPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.match(
      openssl(['pkey', '-pubin', '-in', file(pubPem), '-noout', '-text']).toString(),
      /ED25519 Public-Key/,
    );
  });

  it('makes signatures openssl pkeyutl -verify -rawin accepts, for 3 and 16,000 bytes (and 0, by Node)', () => {
    for (const message of [Buffer.alloc(0), Buffer.from('abc'), crypto.randomBytes(ED25519_MAX_MESSAGE)]) {
      const signature = ed25519Sign(pair.privateDer, message);
      assert.equal(signature.length, 64);
      // OpenSSL 3.0's pkeyutl -rawin cannot read an empty input ("Could not allocate 0 bytes").
      if (message.length > 0) assert.ok(opensslVerifies(pubPem, message, signature));
      assert.equal(ed25519Verify(pair.publicDer, message, signature), true);
      // Deterministic (RFC 8032): the same message gives the same signature.
      assert.deepEqual(ed25519Sign(pair.privateDer, message), signature);
    }
  });

  it('verifies signatures openssl made, and refuses a changed message, signature or key', () => {
    const privPem = crypto
      .createPrivateKey({ key: pair.privateDer, format: 'der', type: 'pkcs8' })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const message = Buffer.from('a message signed by openssl');
    const signature = openssl(['pkeyutl', '-sign', '-inkey', file(privPem), '-rawin', '-in', file(message)]);
    assert.equal(signature.length, 64);
    assert.equal(ed25519Verify(pair.publicDer, message, signature), true);
    assert.equal(ed25519Verify(pair.publicDer, Buffer.from('another message'), signature), false);
    const flipped = Buffer.from(signature);
    flipped[10]! ^= 1;
    assert.equal(ed25519Verify(pair.publicDer, message, flipped), false);
    assert.equal(ed25519Verify(pair.publicDer, message, signature.subarray(0, 63)), false);
    assert.equal(ed25519Verify(generateEd25519Pair().publicDer, message, signature), false);
    assert.equal(opensslVerifies(publicKeyPem(generateEd25519Pair().publicDer), message, signature), false);
  });

  it('refuses more than 16,000 bytes (the PureEdDSA limit of spec §12.1)', () => {
    assert.throws(
      () => ed25519Sign(pair.privateDer, Buffer.alloc(ED25519_MAX_MESSAGE + 1)),
      (e: unknown) =>
        e instanceof HsmError &&
        e.code === 'ERR_SIGN_INPUT' &&
        e.message === 'Invalid data for ed25519: PureEdDSA signs at most 16000 bytes, got 16001',
    );
  });

  it('derives ec-point (DER OCTET STRING of the 32-byte key), curve, key-length-bytes and check-value', () => {
    const raw = ed25519RawPublic(pair.publicDer);
    const kcv = `0x${crypto.createHash('sha1').update(pair.publicDer).digest('hex').slice(0, 6)}`;
    const expected = { 'check-value': kcv, 'ec-point': `0x0420${raw.toString('hex')}`, curve: 'ed25519' };
    assert.deepEqual(deriveAttributes({ keyType: 'ec', class: 'public-key', material: pair.publicDer }), {
      ...expected,
      'key-length-bytes': 32,
    });
    assert.deepEqual(deriveAttributes({ keyType: 'ec', class: 'private-key', material: pair.privateDer }), {
      ...expected,
      'key-length-bytes': 48,
    });
    assert.deepEqual(pair.publicDer.subarray(-32), raw);
  });
});

describe('Ed25519ph (HashEdDSA)', () => {
  it('reproduces RFC 8032 section 7.3 (the "abc" vector) from the SHA-512 of the message', () => {
    const signature = ed25519phSignDigest(rfcPrivate(), sha512('abc'));
    assert.deepEqual(signature, RFC_SIGNATURE);
    assert.deepEqual(ed25519RawPublic(rfcPrivate()), RFC_PUBLIC);
    assert.equal(
      ed25519phVerifyDigest(crypto.createPublicKey(rfcPrivate()), sha512('abc'), RFC_SIGNATURE),
      true,
    );
    assert.equal(ed25519ph.verify(signature, Buffer.from('abc'), RFC_PUBLIC), true);
  });

  it("agrees with noble's ed25519ph both ways on a new key, and refuses a wrong message or key", () => {
    const pair = generateEd25519Pair();
    const raw = ed25519RawPublic(pair.publicDer);
    const secret = Buffer.from(
      crypto
        .createPrivateKey({ key: pair.privateDer, format: 'der', type: 'pkcs8' })
        .export({ format: 'jwk' }).d as string,
      'base64url',
    );
    const message = crypto.randomBytes(100_000);
    const ours = ed25519phSignDigest(pair.privateDer, sha512(message));
    assert.equal(ed25519ph.verify(ours, message, raw), true);
    const theirs = Buffer.from(ed25519ph.sign(message, secret));
    assert.deepEqual(theirs, ours); // deterministic, same key and prehash
    assert.equal(ed25519phVerifyDigest(pair.publicDer, sha512(message), theirs), true);
    assert.equal(ed25519phVerifyDigest(pair.publicDer, sha512('other'), ours), false);
    assert.equal(ed25519phVerifyDigest(generateEd25519Pair().publicDer, sha512(message), ours), false);
    // HashEdDSA and PureEdDSA signatures differ (dom2 with phflag = 1): neither verifies as the other.
    assert.equal(ed25519Verify(pair.publicDer, sha512(message), ours), false);
  });

  it('takes a 64-byte SHA-512 only', () => {
    const pair = generateEd25519Pair();
    assert.throws(
      () => ed25519phSignDigest(pair.privateDer, crypto.createHash('sha256').update('abc').digest()),
      (e: unknown) =>
        e instanceof HsmError &&
        e.message ===
          'Invalid data for ed25519ph: with --data-type digest the data must be a sha512 hash (64 bytes), got 32 bytes',
    );
  });
});
