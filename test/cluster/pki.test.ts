// The cluster PKI: the CA and node certificates are well-formed X.509 (read back by OpenSSL through
// node:crypto), chain to each other, name the right hosts and carry the extensions a TLS server needs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import tls from 'node:tls';
import { createClusterCa, issueNodeCert } from '../../src/cluster/pki.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;

describe('cluster PKI', async () => {
  const ca = await createClusterCa('cluster-abcdefghijk');
  const caCert = new crypto.X509Certificate(ca.cert);
  const hosts = ['hsm1.example.lan', '10.0.0.5', 'fe80::1:2', '::ffff:192.0.2.1'];
  const node = await issueNodeCert(ca, 'hsm-abcdefghijk', hosts);
  const nodeCert = new crypto.X509Certificate(node.cert);

  it('makes a self-signed P-256 CA for the cluster, valid for ten years', () => {
    assert.equal(caCert.subject, 'CN=LocalHSM cluster CA cluster-abcdefghijk\nO=LocalHSM');
    assert.equal(caCert.issuer, caCert.subject);
    assert.equal(caCert.ca, true);
    assert.ok(caCert.verify(caCert.publicKey), 'self-signed');
    assert.equal(caCert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const validFor = Date.parse(caCert.validTo) - Date.parse(caCert.validFrom);
    assert.ok(Math.abs(validFor - 10 * YEAR_MS) < 5 * 60_000, `validity ${validFor} ms`);
    assert.ok(Date.parse(caCert.validFrom) <= Date.now());
    assert.ok(caCert.checkPrivateKey(crypto.createPrivateKey(ca.key)), 'the key is the CA key');
    assert.match(ca.key, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('issues a node certificate signed by the CA, for its own key, with a fresh serial', () => {
    assert.equal(nodeCert.subject, 'CN=hsm-abcdefghijk\nO=LocalHSM');
    assert.equal(nodeCert.issuer, caCert.subject);
    assert.ok(nodeCert.checkIssued(caCert));
    assert.ok(nodeCert.verify(caCert.publicKey));
    assert.equal(nodeCert.ca, false);
    assert.ok(nodeCert.checkPrivateKey(crypto.createPrivateKey(node.key)));
    assert.notEqual(nodeCert.serialNumber, caCert.serialNumber);
  });

  it('names localhost, 127.0.0.1, ::1 and the extra host names and IPs (v4 and v6)', () => {
    for (const host of ['localhost', 'hsm1.example.lan']) assert.equal(nodeCert.checkHost(host), host);
    for (const ip of ['127.0.0.1', '::1', '10.0.0.5', 'fe80::1:2', '::ffff:192.0.2.1'])
      assert.equal(nodeCert.checkIP(ip), ip, ip);
    assert.equal(nodeCert.checkHost('other.example.lan'), undefined);
    assert.equal(nodeCert.checkIP('10.0.0.6'), undefined);
  });

  it('is a TLS server certificate: critical key usage and basic constraints, serverAuth, key ids', () => {
    const text = nodeCert.toLegacyObject();
    assert.deepEqual(text.ext_key_usage, ['1.3.6.1.5.5.7.3.1']);
    assert.match(
      text.subjectaltname ?? '',
      /^DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1, DNS:hsm1\.example\.lan/,
    );
    // The authority key id of the node certificate is the CA's subject key id (SHA-1 of its key bits).
    const der = nodeCert.raw.toString('hex');
    const caKeyBits = caCert.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
    const keyId = crypto.createHash('sha1').update(caKeyBits).digest('hex');
    assert.ok(der.includes(`30168014${keyId}`), 'authority key identifier');
    assert.ok(caCert.raw.toString('hex').includes(`0414${keyId}`), 'subject key identifier of the CA');
  });

  it('serves TLS that a client checking the CA and host name accepts', async () => {
    const server = tls.createServer({ cert: node.cert, key: node.key }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      for (const servername of ['localhost', 'hsm1.example.lan']) {
        const reply = await new Promise<string>((resolve, reject) => {
          const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.cert, servername }, () => {
            socket.once('data', (chunk) => resolve(chunk.toString()));
          });
          socket.once('error', reject);
        });
        assert.equal(reply, 'hello');
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
