// PEM export/import of public keys and the reference ("fake") PEM, read back by the real openssl binary.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { HsmError } from '../../src/errors.js';
import { generateEcPair, generateRsaPairSync } from '../../src/keys/material.js';
import { parsePublicKeyPem, publicKeyPem, referenceOfPem, referencePem } from '../../src/keys/pem.js';

const openssl = (args: string[], input?: string) => execFileSync('openssl', args, { input }).toString();
const pemError = (e: unknown, fragment: string) =>
  e instanceof HsmError && e.code === 'ERR_PEM_INVALID' && e.message.includes(fragment);

describe('public key PEM', () => {
  const rsa = generateRsaPairSync(2048);
  const ec = generateEcPair('secp384r1');

  it('exports SPKI PEM that openssl reads as the same key', () => {
    const pem = publicKeyPem(rsa.publicDer);
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: pem });
    assert.deepEqual(der, rsa.publicDer);
  });

  it('imports rsa-public and ec-public PEM (also an openssl-made one)', () => {
    const got = parsePublicKeyPem(publicKeyPem(rsa.publicDer), 'rsa-public');
    assert.deepEqual(got.publicDer, rsa.publicDer);
    assert.equal(got.modulusBits, 2048);
    const fromOpenssl = execFileSync('openssl', ['pkey', '-pubin', '-inform', 'DER'], {
      input: ec.publicDer,
    });
    const parsed = parsePublicKeyPem(fromOpenssl.toString(), 'ec-public');
    assert.equal(parsed.curve, 'secp384r1');
    assert.deepEqual(parsed.publicDer, ec.publicDer);
  });

  it('refuses private keys, the wrong type, garbage, several blocks and certificates', () => {
    const privatePem = crypto
      .createPrivateKey({ key: rsa.privateDer, format: 'der', type: 'pkcs8' })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
    assert.throws(
      () => parsePublicKeyPem(privatePem, 'rsa-public'),
      (e) => pemError(e, 'holds a private key'),
    );
    assert.throws(
      () => parsePublicKeyPem(publicKeyPem(ec.publicDer), 'rsa-public'),
      (e) => pemError(e, 'ec key'),
    );
    assert.throws(
      () => parsePublicKeyPem('hello', 'rsa-public'),
      (e) => pemError(e, 'no "-----BEGIN'),
    );
    assert.throws(
      () => parsePublicKeyPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'ec-public'),
      (e) => pemError(e, 'not a readable public key'),
    );
    const two = publicKeyPem(rsa.publicDer) + publicKeyPem(rsa.publicDer);
    assert.throws(
      () => parsePublicKeyPem(two, 'rsa-public'),
      (e) => pemError(e, '2 PEM blocks'),
    );
    assert.throws(
      () => parsePublicKeyPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'rsa-public'),
      (e) => pemError(e, '"CERTIFICATE"'),
    );
  });
});

describe('reference PEM', () => {
  const reference = '0x00000000001c0686';

  it('RSA: openssl parses a 2048-bit RSA private key whose public half is the real one', () => {
    const pair = generateRsaPairSync(2048);
    const pem = referencePem({ keyType: 'rsa', publicDer: pair.publicDer }, reference);
    assert.match(pem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(openssl(['pkey', '-noout', '-text'], pem), /Private-Key: \(2048 bit/);
    const pub = execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: pem });
    assert.deepEqual(pub, pair.publicDer);
    assert.equal(referenceOfPem(pem), reference);
    // No real material: the private key in the file cannot make a signature that the public key accepts.
    const sig = crypto.sign('sha256', Buffer.from('x'), pem);
    assert.equal(crypto.verify('sha256', Buffer.from('x'), publicKeyPem(pair.publicDer), sig), false);
  });

  it('EC on every curve: openssl parses a private key on the curve with the real public point', () => {
    for (const curve of ['prime256v1', 'secp224r1', 'secp256k1', 'secp384r1', 'secp521r1']) {
      const pair = generateEcPair(curve);
      const pem = referencePem({ keyType: 'ec', publicDer: pair.publicDer }, 0x2a77n);
      assert.match(pem, /^-----BEGIN EC PRIVATE KEY-----\n/);
      assert.match(openssl(['pkey', '-noout', '-text'], pem), new RegExp(`ASN1 OID: ${curve}`));
      const pub = execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: pem });
      assert.deepEqual(pub, pair.publicDer, curve);
      assert.equal(referenceOfPem(pem), '0x0000000000002a77');
    }
  });

  it('a real private key PEM carries no reference', () => {
    const pair = generateEcPair('prime256v1');
    const pem = crypto
      .createPrivateKey({ key: pair.privateDer, format: 'der', type: 'pkcs8' })
      .export({ type: 'sec1', format: 'pem' })
      .toString();
    assert.equal(referenceOfPem(pem), undefined);
    assert.equal(referenceOfPem('garbage'), undefined);
  });
});
