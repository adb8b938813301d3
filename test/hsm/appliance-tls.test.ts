// Server-side key sync under cluster mtls enforcement: the node's gate admits the appliance's client certificate
// (issued under a CA derived from the masking key) beside the trust anchors, and nothing else it did not admit before.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { createClientCa, createClusterCa, issueClientCert, issueNodeCert } from '../../src/cluster/pki.js';
import { Masking } from '../../src/hsm/keys/masking.js';
import { writeSetting } from '../../src/hsm/settings.js';
import { MtlsGate } from '../../src/hsm/transport/mtls-gate.js';
import { applianceCaCertificate, applianceClientCertificate } from '../../src/localhsm/appliance-tls.js';
import { TEST_MASKING, makeNode } from '../helpers/node.js';

const chain = (pem: string) => [new crypto.X509Certificate(pem)];

describe('the appliance TLS identity (key sync under mtls enforcement)', () => {
  it('is the same CA key wherever the masking key is, and another masking key gives another', () => {
    const spki = (m: Masking) =>
      crypto.createPublicKey(m.applianceTlsKey()).export({ type: 'spki', format: 'der' }).toString('hex');
    assert.equal(spki(TEST_MASKING), spki(new Masking(Buffer.alloc(32, 0x5a))));
    assert.notEqual(spki(TEST_MASKING), spki(new Masking(Buffer.alloc(32, 0x11))));
  });

  it('the gate admits the appliance and the anchors under enforcement, and no one else', async () => {
    const t = await makeNode({ activated: true });
    const server = await issueNodeCert(await createClusterCa('cluster-x'), 'hsm-x');
    const anchorCa = await createClientCa('operator CA');
    const client = await issueClientCert(anchorCa, 'operator');
    writeSetting(t.store, 'mtls_trust_anchors', [{ reference: '0x01', certificate: anchorCa.cert }]);
    writeSetting(t.store, 'mtls_enforcement', 'cluster');

    const gate = new MtlsGate(t.node, server, await applianceCaCertificate(TEST_MASKING));
    const appliance = await applianceClientCertificate(TEST_MASKING);
    const foreign = await applianceClientCertificate(new Masking(Buffer.alloc(32, 0x11)));
    const stranger = await issueClientCert(await createClientCa('someone else'), 'stranger');
    assert.equal(gate.admits(chain(appliance.cert), {}), true);
    assert.equal(gate.admits(chain(client.cert), {}), true);
    assert.equal(gate.admits(chain(foreign.cert), {}), false);
    assert.equal(gate.admits(chain(stranger.cert), {}), false);
    assert.equal(gate.admits([], {}), false);
    // The handshake is asked for a certificate from the anchors or the appliance CA, and refuses none at all.
    assert.deepEqual(
      { requestCert: gate.connectionTls().requestCert, reject: gate.connectionTls().rejectUnauthorized },
      { requestCert: true, reject: true },
    );
    // A node without the masking key (no appliance CA) admits the anchors only.
    const plain = new MtlsGate(t.node, server);
    assert.equal(plain.admits(chain(appliance.cert), {}), false);
    assert.equal(plain.admits(chain(client.cert), {}), true);
  });
});
