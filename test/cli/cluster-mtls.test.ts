// cluster mtls: command outputs and errors, the cluster quorum service, and real enforcement over TLS (2 HSMs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClientCa, issueClientCert, type PemPair } from '../../src/cluster/pki.js';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { rsaKeys } from '../helpers/quorum.js';
import { registerQuorumKey } from '../helpers/quorum-cli.js';
import { openShell } from '../helpers/shell.js';
import { addApproval } from '../helpers/token-files.js';

const DISCONNECTED = { error_code: 1, data: 'HSM is disconnected' };

/** A client CA and a client certificate it signed, written to `dir`. */
async function clientPki(
  dir: string,
): Promise<{ ca: PemPair; caFile: string; certFile: string; keyFile: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = await createClientCa(`test CA ${path.basename(dir)}`);
  const client = await issueClientCert(ca, 'cloudhsm-cli');
  const files = {
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'client.crt'),
    keyFile: path.join(dir, 'client.key'),
  };
  fs.writeFileSync(files.caFile, ca.cert);
  fs.writeFileSync(files.certFile, client.cert);
  fs.writeFileSync(files.keyFile, client.key, { mode: 0o600 });
  return { ca, ...files };
}

/** Points the cluster's cloudhsm-cli.cfg at a client certificate and key (or at none). */
function useClientCert(cluster: TestCluster, pki: { certFile: string; keyFile: string } | undefined): void {
  const file = path.join(cluster.dir, 'cloudhsm-cli.cfg');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  const entry = config.clusters[0].cluster;
  delete entry.client_cert_hsm_tls_file;
  delete entry.client_key_hsm_tls_file;
  if (pki) {
    entry.client_cert_hsm_tls_file = pki.certFile;
    entry.client_key_hsm_tls_file = pki.keyFile;
  }
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

const pem = (text: string) => new crypto.X509Certificate(text).toString();

describe('cluster mtls commands', () => {
  let cluster: TestCluster;
  let one: Awaited<ReturnType<typeof clientPki>>;
  let two: Awaited<ReturnType<typeof clientPki>>;
  let three: Awaited<ReturnType<typeof clientPki>>;
  const admin = (...args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);
  const mtls = (...args: string[]) => admin('cluster', 'mtls', ...args);

  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
    one = await clientPki(path.join(cluster.dir, 'one'));
    two = await clientPki(path.join(cluster.dir, 'two'));
    three = await clientPki(path.join(cluster.dir, 'three'));
    const create = await admin(
      'user',
      'create',
      '--username',
      'carol',
      '--role',
      'crypto-user',
      '--password',
      'carol-pass-1',
    );
    assert.equal(create.json?.error_code, 0, create.stdout);
  });
  after(() => cluster.close());

  it('lists no trust anchors without login; get-enforcement needs a login and says none', async () => {
    assert.deepEqual((await cluster.cli(['cluster', 'mtls', 'list-trust-anchors'])).json, {
      error_code: 0,
      data: { trust_anchors: [] },
    });
    assert.deepEqual((await cluster.cli(['cluster', 'mtls', 'get-enforcement'])).json, {
      error_code: 1,
      data: 'You must be logged in to perform this operation',
    });
    assert.deepEqual((await mtls('get-enforcement')).json, {
      error_code: 0,
      data: { 'mtls-enforcement-level': 'none', 'cluster-coverage': 'full' },
    });
  });

  it('lets only admins register, deregister and set enforcement', async () => {
    const asCarol = (...args: string[]) =>
      cluster.as('crypto-user', 'carol', 'carol-pass-1', ['cluster', 'mtls', ...args]);
    for (const [args, action] of [
      [['register-trust-anchor', '--path', one.caFile], 'register trust anchors'],
      [['deregister-trust-anchor', '--certificate-reference', '0x01'], 'deregister trust anchors'],
      [['set-enforcement', '--level', 'none'], 'set the mtls enforcement level'],
    ] as const) {
      assert.deepEqual((await asCarol(...args)).json, {
        error_code: 1,
        data: `Permission denied: the crypto-user role cannot ${action}`,
      });
    }
    assert.deepEqual((await asCarol('get-enforcement')).json!.data['mtls-enforcement-level'], 'none');
  });

  it('refuses enforcement while no trust anchor is registered', async () => {
    assert.deepEqual((await mtls('set-enforcement', '--level', 'cluster')).json, {
      error_code: 1,
      data: 'Cannot set the mtls enforcement level to cluster: no trust anchor is registered; register one with cluster mtls register-trust-anchor',
    });
  });

  it('registers a trust anchor on every HSM and prints it; a second registration is a duplicate', async () => {
    const run = await mtls('register-trust-anchor', '--path', one.caFile);
    assert.deepEqual(run.json, {
      error_code: 0,
      data: {
        trust_anchor: {
          'certificate-reference': '0x01',
          certificate: pem(one.ca.cert),
          'cluster-coverage': 'full',
        },
      },
    });
    assert.deepEqual((await mtls('register-trust-anchor', '--path', one.caFile)).json, {
      error_code: 1,
      data: 'The trust anchor is already registered with certificate reference 0x01',
    });
    assert.deepEqual((await cluster.cli(['cluster', 'mtls', 'list-trust-anchors'])).json, {
      error_code: 0,
      data: {
        trust_anchors: [
          { 'certificate-reference': '0x01', certificate: pem(one.ca.cert), 'cluster-coverage': 'full' },
        ],
      },
    });
  });

  it('refuses what is not a certificate, and keys CloudHSM does not accept', async () => {
    assert.deepEqual((await mtls('register-trust-anchor', '--path', one.keyFile)).json, {
      error_code: 1,
      data: 'Invalid trust anchor certificate: no PEM certificate found',
    });
    // Made by openssl, not by the code under test: an RSA-1024 and an Ed25519 certificate.
    for (const [name, keyArgs] of [
      ['rsa1024', ['-newkey', 'rsa:1024']],
      ['ed25519', ['-newkey', 'ed25519']],
    ] as const) {
      const certFile = path.join(cluster.dir, `${name}.crt`);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          ...keyArgs,
          '-nodes',
          '-keyout',
          path.join(cluster.dir, `${name}.key`),
          '-out',
          certFile,
          '-subj',
          `/CN=${name}`,
          '-days',
          '2',
        ],
        { stdio: 'ignore' },
      );
      assert.deepEqual(
        (await mtls('register-trust-anchor', '--path', certFile)).json,
        {
          error_code: 1,
          data: 'Invalid trust anchor certificate: the key must be EC P-256, P-384 or P-521, or RSA 2048, 3072 or 4096',
        },
        name,
      );
    }
    const missing = path.join(cluster.dir, 'missing.crt');
    assert.deepEqual((await mtls('register-trust-anchor', '--path', missing)).json, {
      error_code: 1,
      data: `Cannot read ${missing}: no such file or directory`,
    });
  });

  it('holds at most 2 trust anchors', async () => {
    const second = await mtls('register-trust-anchor', '--path', two.caFile);
    assert.equal(second.json!.data.trust_anchor['certificate-reference'], '0x02');
    assert.deepEqual((await mtls('register-trust-anchor', '--path', three.caFile)).json, {
      error_code: 1,
      data: 'The cluster already holds the maximum of 2 trust anchors',
    });
  });

  it('deregisters by reference (decimal or hex) and names an unknown reference', async () => {
    assert.deepEqual((await mtls('deregister-trust-anchor', '--certificate-reference', '2')).json, {
      error_code: 0,
      data: { message: 'Trust anchor with reference 0x02 deregistered successfully' },
    });
    assert.deepEqual((await mtls('deregister-trust-anchor', '--certificate-reference', '0x02')).json, {
      error_code: 1,
      data: 'No trust anchor with certificate reference 0x02',
    });
    const list = await cluster.cli(['cluster', 'mtls', 'list-trust-anchors']);
    assert.deepEqual(
      list.json!.data.trust_anchors.map((a: Record<string, string>) => a['certificate-reference']),
      ['0x01'],
    );
  });

  it('sets enforcement only from a connection whose client certificate chains to a registered anchor', async () => {
    assert.deepEqual((await mtls('set-enforcement', '--level', 'cluster')).json, {
      error_code: 1,
      data: 'Cannot set the mtls enforcement level to cluster from a connection without a client certificate issued by a registered trust anchor; configure client_cert_hsm_tls_file and client_key_hsm_tls_file first (configure-cli --client-cert-hsm-tls-file, --client-key-hsm-tls-file)',
    });
    useClientCert(cluster, two);
    assert.equal((await mtls('set-enforcement', '--level', 'cluster')).json!.error_code, 1);
    useClientCert(cluster, one);
    assert.deepEqual((await mtls('set-enforcement', '--level', 'cluster')).json, {
      error_code: 0,
      data: { message: 'Mtls enforcement level set to Cluster successfully' },
    });
    assert.deepEqual((await mtls('get-enforcement')).json, {
      error_code: 0,
      data: { 'mtls-enforcement-level': 'cluster', 'cluster-coverage': 'full' },
    });
  });

  it('with enforcement on, refuses a client without a certificate or with one from another CA', async () => {
    useClientCert(cluster, undefined);
    const bare = await cluster.cli(['user', 'list']);
    assert.deepEqual(bare.json, DISCONNECTED);
    assert.equal(bare.exitCode, 1);
    assert.match(
      bare.stderr,
      /^hint: the HSMs refused this client's certificate \(cluster mtls enforcement is cluster\): set client_cert_hsm_tls_file and client_key_hsm_tls_file in .*cloudhsm-cli\.cfg to a certificate issued by a registered trust anchor$/m,
    );
    assert.deepEqual((await cluster.cli(['cluster', 'mtls', 'list-trust-anchors'])).json, DISCONNECTED);
    useClientCert(cluster, two);
    assert.deepEqual((await cluster.cli(['user', 'list'])).json, DISCONNECTED);
    assert.deepEqual((await admin('cluster', 'mtls', 'get-enforcement')).json, DISCONNECTED);
    useClientCert(cluster, one);
    const list = await cluster.cli(['user', 'list']);
    assert.equal(list.json?.error_code, 0, list.stdout);
  });

  it('never deregisters the last anchor while enforcement is on; deregistering the anchor in use cuts its clients off', async () => {
    assert.deepEqual((await mtls('deregister-trust-anchor', '--certificate-reference', '0x01')).json, {
      error_code: 1,
      data: 'Cannot deregister trust anchor 0x01: it is the last trust anchor and the mtls enforcement level is cluster; set the enforcement level to none first',
    });
    assert.equal((await mtls('register-trust-anchor', '--path', two.caFile)).json!.error_code, 0);
    // One shell, one connection per HSM: it deregisters the anchor its own certificate chains to.
    const shell = openShell(cluster.dir);
    try {
      assert.equal(
        (await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`)).error_code,
        0,
      );
      assert.deepEqual(await shell.run('cluster mtls deregister-trust-anchor --certificate-reference 0x01'), {
        error_code: 0,
        data: { message: 'Trust anchor with reference 0x01 deregistered successfully' },
      });
      assert.deepEqual(await shell.run('user list'), DISCONNECTED);
    } finally {
      await shell.close();
    }
    assert.deepEqual((await cluster.cli(['user', 'list'])).json, DISCONNECTED);
    useClientCert(cluster, two);
    assert.equal((await cluster.cli(['user', 'list'])).json?.error_code, 0);
  });

  it('keeps enforcement across a node restart', async () => {
    await cluster.stopNode(0);
    await cluster.startNode(0);
    await cluster.stopNode(1);
    await cluster.startNode(1);
    assert.equal((await mtls('get-enforcement')).json!.data['mtls-enforcement-level'], 'cluster');
    useClientCert(cluster, undefined);
    assert.deepEqual((await cluster.cli(['user', 'list'])).json, DISCONNECTED);
    useClientCert(cluster, two);
  });

  it('turns enforcement off again: clients without a certificate connect', async () => {
    assert.deepEqual((await mtls('set-enforcement', '--level', 'none')).json, {
      error_code: 0,
      data: { message: 'Mtls enforcement level set to None successfully' },
    });
    useClientCert(cluster, undefined);
    assert.equal((await cluster.cli(['user', 'list'])).json?.error_code, 0);
    assert.equal(
      (await mtls('deregister-trust-anchor', '--certificate-reference', '0x02')).json!.error_code,
      0,
    );
  });

  it('refuses a cfg with a client certificate without its key, or with another key', async () => {
    const cfg = path.join(cluster.dir, 'cloudhsm-cli.cfg');
    useClientCert(cluster, { certFile: one.certFile, keyFile: two.keyFile });
    assert.deepEqual((await cluster.cli(['user', 'list'])).json, {
      error_code: 1,
      data: `Invalid configuration ${cfg}: client_cert_hsm_tls_file and client_key_hsm_tls_file must be a PEM certificate and its unencrypted PEM private key`,
    });
    const config = JSON.parse(fs.readFileSync(cfg, 'utf8'));
    delete config.clusters[0].cluster.client_key_hsm_tls_file;
    fs.writeFileSync(cfg, JSON.stringify(config));
    assert.deepEqual((await cluster.cli(['user', 'list'])).json, {
      error_code: 1,
      data: `Invalid configuration ${cfg}: client_cert_hsm_tls_file and client_key_hsm_tls_file must be given together`,
    });
    useClientCert(cluster, undefined);
  });

  it('audits every change on each HSM', () => {
    for (const serving of cluster.nodes) {
      const ops = serving!.node.store.listAudit().map((e) => `${e.operation} ${e.result}`);
      assert.ok(ops.includes('mtls-register-trust-anchor ok'), ops.join('\n'));
      assert.ok(ops.includes('mtls-deregister-trust-anchor ok'));
      assert.ok(ops.includes('mtls-set-enforcement ok'));
      assert.ok(ops.includes('mtls-set-enforcement ERR_MTLS_NO_ANCHOR'));
    }
  });
});

describe('cluster mtls under the cluster quorum service', () => {
  let cluster: TestCluster;
  let pki: Awaited<ReturnType<typeof clientPki>>;
  const [adminKey, admin2Key] = rsaKeys(2);

  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
    pki = await clientPki(path.join(cluster.dir, 'pki'));
    const create = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'admin2',
      '--role',
      'admin',
      '--password',
      'admin2-pass-1',
    ]);
    assert.equal(create.json?.error_code, 0, create.stdout);
    await registerQuorumKey(cluster, 'admin', ADMIN_PASSWORD, adminKey!);
    await registerQuorumKey(cluster, 'admin2', 'admin2-pass-1', admin2Key!);
    const set = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'quorum',
      'token-sign',
      'set-quorum-value',
      '--service',
      'cluster',
      '--value',
      '2',
    ]);
    assert.equal(set.json?.error_code, 0, set.stdout);
  });
  after(() => cluster.close());

  it('needs an approval with 2 signatures for register, set-enforcement and deregister', async () => {
    const shell = openShell(cluster.dir);
    const token = path.join(cluster.dir, 'cluster-token.json');
    const approved = async () => {
      fs.rmSync(token, { force: true });
      assert.equal(
        (await shell.run(`quorum token-sign generate --service cluster --token ${token}`)).error_code,
        0,
      );
      addApproval(token, 'admin', adminKey!.privateKey);
      addApproval(token, 'admin2', admin2Key!.privateKey);
      return token;
    };
    try {
      assert.equal(
        (await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`)).error_code,
        0,
      );
      for (const line of [
        `cluster mtls register-trust-anchor --path ${pki.caFile}`,
        'cluster mtls set-enforcement --level none',
        'cluster mtls deregister-trust-anchor --certificate-reference 0x01',
      ]) {
        assert.deepEqual(
          await shell.run(line),
          {
            error_code: 1,
            data: 'Quorum approval is required for this operation',
          },
          line,
        );
      }
      // A user-service token does not approve a cluster-service operation.
      const userToken = path.join(cluster.dir, 'user-token.json');
      assert.equal(
        (await shell.run(`quorum token-sign generate --service user --token ${userToken}`)).error_code,
        0,
      );
      addApproval(userToken, 'admin', adminKey!.privateKey);
      addApproval(userToken, 'admin2', admin2Key!.privateKey);
      assert.deepEqual(
        await shell.run(`cluster mtls register-trust-anchor --path ${pki.caFile} --approval ${userToken}`),
        {
          error_code: 1,
          data: 'This quorum token was generated for service user, but this operation needs a token for service cluster',
        },
      );
      const registered = await shell.run(
        `cluster mtls register-trust-anchor --path ${pki.caFile} --approval ${await approved()}`,
      );
      assert.equal(registered.data.trust_anchor['certificate-reference'], '0x01', JSON.stringify(registered));
      // The token was consumed.
      assert.equal(
        (await shell.run(`cluster mtls set-enforcement --level none --approval ${token}`)).error_code,
        1,
      );
      assert.deepEqual(
        await shell.run(`cluster mtls set-enforcement --level none --approval ${await approved()}`),
        {
          error_code: 0,
          data: { message: 'Mtls enforcement level set to None successfully' },
        },
      );
      assert.deepEqual(
        await shell.run(
          `cluster mtls deregister-trust-anchor --certificate-reference 0x01 --approval ${await approved()}`,
        ),
        { error_code: 0, data: { message: 'Trust anchor with reference 0x01 deregistered successfully' } },
      );
    } finally {
      await shell.close();
    }
  });
});
