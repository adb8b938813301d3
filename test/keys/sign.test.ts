// Signature mechanisms against the real openssl binary both ways (raw data and digests), parameter checks, and
// every Wycheproof RSA PKCS#1 v1.5 vector through verifyData.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HsmError } from '../../src/errors.js';
import { generateEcPair, generateRsaPairSync, type KeyPairMaterial } from '../../src/keys/material.js';
import { publicKeyPem } from '../../src/keys/pem.js';
import {
  DIGEST_INFO_PREFIX,
  HASHES,
  signData,
  signDataAsync,
  verifyData,
  type HashName,
  type SignParams,
} from '../../src/keys/sign.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-sign-'));
let n = 0;
const file = (content: Buffer | string) => {
  const f = path.join(dir, `f${n++}`);
  fs.writeFileSync(f, content);
  return f;
};
const privatePem = (pair: KeyPairMaterial) =>
  crypto
    .createPrivateKey({ key: pair.privateDer, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const opensslOk = (args: string[]) => {
  try {
    openssl(args);
    return true;
  } catch {
    return false;
  }
};

/** ECDSA r‖s → DER Ecdsa-Sig-Value and back (openssl's format). */
function rsToDer(rs: Buffer): Buffer {
  const half = rs.length / 2;
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let body = b.subarray(i);
    if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([2, body.length]), body]);
  };
  const body = Buffer.concat([int(rs.subarray(0, half)), int(rs.subarray(half))]);
  return Buffer.concat([
    Buffer.from(body.length < 128 ? [0x30, body.length] : [0x30, 0x81, body.length]),
    body,
  ]);
}
function derToRs(der: Buffer, size: number): Buffer {
  let pos = der[1]! & 0x80 ? 3 : 2;
  const parts: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    const len = der[pos + 1]!;
    let v = der.subarray(pos + 2, pos + 2 + len);
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    parts.push(Buffer.concat([Buffer.alloc(size - v.length), v]));
    pos += 2 + len;
  }
  return Buffer.concat(parts);
}

after(() => fs.rmSync(dir, { recursive: true, force: true }));

const data = Buffer.from('abc123');
const digestOf = (hash: HashName) => crypto.createHash(hash).update(data).digest();

describe('rsa-pkcs and rsa-pkcs-pss with openssl', () => {
  const rsa = generateRsaPairSync(2048);
  const pub = file(publicKeyPem(rsa.publicDer));
  const priv = file(privatePem(rsa));
  const dataFile = file(data);

  for (const hash of HASHES) {
    it(`rsa-pkcs ${hash}: openssl dgst verifies ours; ours verifies openssl's; digest input gives the same signature`, () => {
      const params: SignParams = { mechanism: 'rsa-pkcs', hash };
      const sig = signData(params, rsa.privateDer, data);
      assert.ok(opensslOk(['dgst', `-${hash}`, '-verify', pub, '-signature', file(sig), dataFile]));
      const theirs = openssl(['dgst', `-${hash}`, '-sign', priv, dataFile]);
      assert.deepEqual(theirs, sig, 'PKCS#1 v1.5 is deterministic');
      assert.equal(verifyData(params, rsa.publicDer, data, theirs), true);
      assert.equal(verifyData(params, rsa.publicDer, Buffer.from('abc124'), theirs), false);
      const digestInfo = Buffer.concat([DIGEST_INFO_PREFIX[hash], digestOf(hash)]);
      const dsig = signData({ ...params, dataType: 'digest' }, rsa.privateDer, digestInfo);
      assert.deepEqual(dsig, sig);
      assert.ok(
        opensslOk([
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          pub,
          '-in',
          file(digestOf(hash)),
          '-sigfile',
          file(dsig),
          '-pkeyopt',
          `digest:${hash}`,
        ]),
      );
      assert.equal(verifyData({ ...params, dataType: 'digest' }, rsa.publicDer, digestInfo, theirs), true);
    });

    it(`rsa-pkcs-pss ${hash}: both directions, raw and digest`, () => {
      const saltLength = hash === 'sha512' ? 64 : 32;
      const params: SignParams = { mechanism: 'rsa-pkcs-pss', hash, mgf: `mgf1-${hash}`, saltLength };
      const pss = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${saltLength}`];
      const sig = signData(params, rsa.privateDer, data);
      assert.ok(opensslOk(['dgst', `-${hash}`, ...pss, '-verify', pub, '-signature', file(sig), dataFile]));
      const theirs = openssl(['dgst', `-${hash}`, ...pss, '-sign', priv, dataFile]);
      assert.equal(verifyData(params, rsa.publicDer, data, theirs), true);
      assert.equal(verifyData({ ...params, saltLength: saltLength - 1 }, rsa.publicDer, data, theirs), false);
      const digest = { ...params, dataType: 'digest' as const };
      const dsig = signData(digest, rsa.privateDer, digestOf(hash));
      const popts = [
        '-pkeyopt',
        'rsa_padding_mode:pss',
        '-pkeyopt',
        `rsa_pss_saltlen:${saltLength}`,
        '-pkeyopt',
        `digest:${hash}`,
      ];
      assert.ok(
        opensslOk([
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          pub,
          '-in',
          file(digestOf(hash)),
          '-sigfile',
          file(dsig),
          ...popts,
        ]),
      );
      const theirsDigest = openssl([
        'pkeyutl',
        '-sign',
        '-inkey',
        priv,
        '-in',
        file(digestOf(hash)),
        ...popts,
      ]);
      assert.equal(verifyData(digest, rsa.publicDer, digestOf(hash), theirsDigest), true);
      assert.equal(
        verifyData(params, rsa.publicDer, data, theirsDigest),
        true,
        'a digest signature verifies as raw',
      );
    });
  }

  it('signDataAsync gives verifiable signatures', async () => {
    const params: SignParams = {
      mechanism: 'rsa-pkcs-pss',
      hash: 'sha256',
      mgf: 'mgf1-sha256',
      saltLength: 20,
    };
    const sig = await signDataAsync(params, rsa.privateDer, data);
    assert.equal(verifyData(params, rsa.publicDer, data, sig), true);
    const pk = await signDataAsync({ mechanism: 'rsa-pkcs', hash: 'sha384' }, rsa.privateDer, data);
    assert.deepEqual(pk, signData({ mechanism: 'rsa-pkcs', hash: 'sha384' }, rsa.privateDer, data));
  });
});

describe('ecdsa with openssl (raw r‖s)', () => {
  const sizes: Record<string, number> = {
    prime256v1: 32,
    secp224r1: 28,
    secp256k1: 32,
    secp384r1: 48,
    secp521r1: 66,
  };
  for (const [curve, size] of Object.entries(sizes)) {
    const hashes: HashName[] = curve === 'prime256v1' ? [...HASHES] : ['sha256', 'sha512'];
    for (const hash of hashes)
      it(`${curve} ${hash}: both directions, raw and digest`, async () => {
        const ec = generateEcPair(curve);
        const pub = file(publicKeyPem(ec.publicDer));
        const pem = privatePem(ec);
        const priv = file(pem);
        const dataFile = file(data);
        const params: SignParams = { mechanism: 'ecdsa', hash };
        const sig = signData(params, ec.privateDer, data);
        assert.equal(sig.length, 2 * size);
        assert.ok(
          opensslOk(['dgst', `-${hash}`, '-verify', pub, '-signature', file(rsToDer(sig)), dataFile]),
        );
        const theirs = derToRs(openssl(['dgst', `-${hash}`, '-sign', priv, dataFile]), size);
        assert.equal(verifyData(params, ec.publicDer, data, theirs), true);
        assert.equal(verifyData(params, ec.publicDer, Buffer.from('other'), theirs), false);
        const digest = { ...params, dataType: 'digest' as const };
        const dsig = signData(digest, ec.privateDer, digestOf(hash));
        assert.equal(dsig.length, 2 * size);
        assert.ok(
          opensslOk([
            'pkeyutl',
            '-verify',
            '-pubin',
            '-inkey',
            pub,
            '-in',
            file(digestOf(hash)),
            '-sigfile',
            file(rsToDer(dsig)),
          ]),
        );
        assert.equal(
          verifyData(params, ec.publicDer, data, dsig),
          true,
          'a digest signature verifies as raw',
        );
        const theirsDigest = derToRs(
          openssl(['pkeyutl', '-sign', '-inkey', priv, '-in', file(digestOf(hash))]),
          size,
        );
        assert.equal(verifyData(digest, ec.publicDer, digestOf(hash), theirsDigest), true);
        const flipped = Buffer.from(theirsDigest);
        flipped[5]! ^= 1;
        assert.equal(verifyData(digest, ec.publicDer, digestOf(hash), flipped), false);
        const asyncSig = await signDataAsync(params, ec.privateDer, data);
        assert.equal(verifyData(params, ec.publicDer, data, asyncSig), true);
      });
  }
});

describe('sign parameter and input checks', () => {
  const rsa = generateRsaPairSync(2048);
  const ec = generateEcPair('prime256v1');
  const code = (c: string) => (e: unknown) => e instanceof HsmError && e.code === c;

  it('refuses a mismatched MGF, a too-long salt, the wrong key type and digests of the wrong shape', () => {
    const pss: SignParams = { mechanism: 'rsa-pkcs-pss', hash: 'sha256', mgf: 'mgf1-sha1', saltLength: 32 };
    assert.throws(() => signData(pss, rsa.privateDer, data), code('ERR_MECHANISM_PARAMETERS'));
    assert.throws(
      () => signData({ ...pss, mgf: 'mgf1-sha256', saltLength: 223 }, rsa.privateDer, data),
      code('ERR_MECHANISM_PARAMETERS'),
    );
    assert.ok(signData({ ...pss, mgf: 'mgf1-sha256', saltLength: 222 }, rsa.privateDer, data).length === 256);
    assert.throws(
      () => signData({ mechanism: 'ecdsa', hash: 'sha256' }, rsa.privateDer, data),
      code('ERR_MECHANISM_PARAMETERS'),
    );
    assert.throws(
      () => signData({ mechanism: 'rsa-pkcs', hash: 'sha256' }, ec.privateDer, data),
      code('ERR_MECHANISM_PARAMETERS'),
    );
    assert.throws(
      () =>
        signData(
          { mechanism: 'rsa-pkcs', hash: 'sha256', dataType: 'digest' },
          rsa.privateDer,
          digestOf('sha256'),
        ),
      (e) => code('ERR_SIGN_INPUT')(e) && /DigestInfo/.test((e as Error).message),
    );
    assert.throws(
      () =>
        signData(
          { mechanism: 'ecdsa', hash: 'sha384', dataType: 'digest' },
          ec.privateDer,
          digestOf('sha256'),
        ),
      code('ERR_SIGN_INPUT'),
    );
  });

  it('verify returns false (not an error) for signatures of the wrong length or out of range', () => {
    const params: SignParams = {
      mechanism: 'rsa-pkcs-pss',
      hash: 'sha256',
      mgf: 'mgf1-sha256',
      saltLength: 32,
    };
    assert.equal(verifyData(params, rsa.publicDer, data, Buffer.alloc(255)), false);
    assert.equal(verifyData(params, rsa.publicDer, data, Buffer.alloc(256, 0xff)), false);
    assert.equal(
      verifyData({ mechanism: 'rsa-pkcs', hash: 'sha1' }, rsa.publicDer, data, Buffer.alloc(256, 0xff)),
      false,
    );
    assert.equal(
      verifyData({ mechanism: 'ecdsa', hash: 'sha256' }, ec.publicDer, data, Buffer.alloc(64)),
      false,
    );
    assert.equal(
      verifyData(
        { mechanism: 'ecdsa', hash: 'sha256', dataType: 'digest' },
        ec.publicDer,
        digestOf('sha256'),
        Buffer.alloc(63),
      ),
      false,
    );
  });
});

describe('Wycheproof RSA PKCS#1 v1.5 SHA-256 vectors through verifyData', () => {
  const VECTORS = fileURLToPath(new URL('../../../test/vectors/wycheproof/', import.meta.url));
  for (const bits of [2048, 3072, 4096]) {
    it(`every vector of the ${bits}-bit file (acceptable "MissingNull" refused)`, () => {
      const json = JSON.parse(
        fs.readFileSync(path.join(VECTORS, `rsa_signature_${bits}_sha256_test.json`), 'utf8'),
      );
      let checked = 0;
      for (const group of json.testGroups as {
        publicKeyPem: string;
        tests: { tcId: number; msg: string; sig: string; result: string }[];
      }[]) {
        const key = crypto.createPublicKey(group.publicKeyPem);
        for (const v of group.tests) {
          const got = verifyData(
            { mechanism: 'rsa-pkcs', hash: 'sha256' },
            key,
            Buffer.from(v.msg, 'hex'),
            Buffer.from(v.sig, 'hex'),
          );
          assert.equal(got, v.result === 'valid', `tcId ${v.tcId} (${v.result})`);
          checked++;
        }
      }
      assert.equal(checked, json.numberOfTests);
    });
  }
});
