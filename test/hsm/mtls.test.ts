// cluster mtls in the node: the client-chain check (certificates made by openssl) and the operations' rules via handle().
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chainsToAnchor, parseAnchorCertificate } from '../../src/hsm/mtls.js';
import { tempDir } from '../helpers/cluster.js';
import { NODE_ADMIN_PASSWORD, makeNode, refusal, success } from '../helpers/node.js';

/** root CA -> intermediate CA -> leaf, and an unrelated CA with a leaf, made by openssl in `dir`. */
function opensslPki(dir: string): Record<string, crypto.X509Certificate> {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ext = path.join(dir, 'ca.ext');
  fs.writeFileSync(ext, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  const key = (name: string) =>
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const selfSigned = (name: string) => {
    key(name);
    run('req', '-x509', '-key', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2');
  };
  const signed = (name: string, issuer: string, ca: boolean) => {
    key(name);
    run('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${issuer}.crt`,
      '-CAkey',
      `${issuer}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      ...(ca ? ['-extfile', ext] : []),
    );
  };
  selfSigned('root');
  signed('intermediate', 'root', true);
  signed('leaf', 'intermediate', false);
  signed('direct', 'root', false);
  selfSigned('other');
  signed('stranger', 'other', false);
  return Object.fromEntries(
    ['root', 'intermediate', 'leaf', 'direct', 'other', 'stranger'].map((n) => [
      n,
      new crypto.X509Certificate(fs.readFileSync(path.join(dir, `${n}.crt`))),
    ]),
  );
}

describe('client certificate chains', () => {
  const dir = tempDir('localhsm-mtls-pki-');
  let c: Record<string, crypto.X509Certificate>;
  let now = 0;
  before(() => {
    c = opensslPki(dir);
    // After openssl made them: their validity starts at that second.
    now = Date.now() + 1000;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts a certificate signed by an anchor, the anchor itself, and a chain through an intermediate', () => {
    assert.equal(chainsToAnchor([c.direct!], [c.root!], now), true);
    assert.equal(chainsToAnchor([c.root!], [c.root!], now), true);
    assert.equal(chainsToAnchor([c.leaf!, c.intermediate!], [c.root!], now), true);
    assert.equal(chainsToAnchor([c.leaf!], [c.intermediate!], now), true);
    assert.equal(chainsToAnchor([c.stranger!], [c.other!, c.root!], now), true);
  });

  it('refuses another CA, a missing intermediate, no certificate, no anchor, and expired or future times', () => {
    assert.equal(chainsToAnchor([c.stranger!], [c.root!], now), false);
    assert.equal(chainsToAnchor([c.leaf!], [c.root!], now), false);
    assert.equal(chainsToAnchor([c.leaf!, c.stranger!], [c.root!], now), false);
    assert.equal(chainsToAnchor([], [c.root!], now), false);
    assert.equal(chainsToAnchor([c.direct!], [], now), false);
    assert.equal(chainsToAnchor([c.direct!], [c.root!], now + 5 * 86_400_000), false);
    assert.equal(chainsToAnchor([c.direct!], [c.root!], now - 86_400_000), false);
  });

  it('parses one PEM certificate only', () => {
    const two = c.root!.toString() + c.other!.toString();
    assert.throws(() => parseAnchorCertificate(two), {
      message: 'Invalid trust anchor certificate: the file holds more than one certificate',
    });
    assert.throws(
      () => parseAnchorCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      { message: 'Invalid trust anchor certificate: not a valid X.509 certificate' },
    );
    assert.equal(
      parseAnchorCertificate(`notes\n${c.root!.toString()}`).fingerprint256,
      c.root!.fingerprint256,
    );
  });

  it('sets enforcement only for a session whose client chain leads to an anchor', async () => {
    const t = await makeNode({ activated: true });
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    success(await t.send(admin, 'mtls-register-trust-anchor', { certificate: c.root!.toString() }));
    assert.equal(
      refusal(await t.send(admin, 'mtls-set-enforcement', { level: 'cluster' })).code,
      'ERR_MTLS_NOT_MTLS_SESSION',
    );
    admin.clientChain = [c.stranger!];
    assert.equal(
      refusal(await t.send(admin, 'mtls-set-enforcement', { level: 'cluster' })).code,
      'ERR_MTLS_NOT_MTLS_SESSION',
    );
    admin.clientChain = [c.leaf!, c.intermediate!];
    assert.deepEqual(success(await t.send(admin, 'mtls-set-enforcement', { level: 'cluster' })), {
      level: 'cluster',
    });
    assert.deepEqual(refusal(await t.send(admin, 'mtls-set-enforcement', { level: 'hsm' })), {
      code: 'ERR_MTLS_LEVEL',
      message: "Invalid mtls enforcement level 'hsm': possible values are none, cluster",
      params: { level: 'hsm', possible: 'none, cluster' },
    });
    assert.equal(t.store.getSetting('mtls_enforcement'), 'cluster');
  });
});
