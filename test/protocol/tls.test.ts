// TLS on both ends: a node refuses plaintext, a client refuses a node that does not chain to the cluster CA.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { HsmConnection, UnreachableError } from '../../src/cluster/connection.js';
import { createClusterCa } from '../../src/cluster/pki.js';
import { paths } from '../../src/cluster/state-dir.js';
import { encodeFrame } from '../../src/protocol/frames.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/raw-client.js';

describe('TLS between clients and nodes', () => {
  let cluster: TestCluster;
  let ca: string;
  let port: number;
  before(async () => {
    cluster = await startTestCluster({ hsms: 1 });
    ca = fs.readFileSync(paths(cluster.dir).ca, 'utf8');
    port = cluster.nodes[0]!.server.port;
  });
  after(() => cluster.close());

  async function hsmInfoWithClusterCa(): Promise<string> {
    const connection = new HsmConnection({ hostname: '127.0.0.1', port }, ca);
    try {
      return (await connection.call('hsm-info', {})).hsmId;
    } finally {
      connection.close();
    }
  }

  it('a node answers a plaintext frame with no reply and closes the connection', async () => {
    const plain = await RawClient.plain(port);
    plain.write(encodeFrame({ v: 1, id: 1, op: 'user-list', args: {} }));
    await plain.whenClosed();
    assert.equal(await plain.next(), undefined, 'no reply frame');
    const bytes = Buffer.concat(plain.received);
    // At most a TLS alert record (content type 21); never a frame or any JSON.
    assert.ok(bytes.length === 0 || bytes[0] === 0x15, `unexpected bytes ${bytes.toString('hex')}`);
    assert.ok(!bytes.toString('latin1').includes('"ok"'));
  });

  it('a node keeps serving TLS clients after refusing plaintext', async () => {
    const plain = await RawClient.plain(port);
    plain.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await plain.whenClosed();
    assert.equal(await hsmInfoWithClusterCa(), cluster.manifest.hsms[0]!.id);
  });

  it('a client refuses a node whose certificate does not chain to its cluster CA', async () => {
    const other = await createClusterCa('cluster-bbbbbbbbbbb');
    const connection = new HsmConnection({ hostname: '127.0.0.1', port }, other.cert);
    try {
      await assert.rejects(connection.call('user-list', {}), (error: unknown) => {
        assert.ok(error instanceof UnreachableError, String(error));
        assert.equal(error.address, `127.0.0.1:${port}`);
        assert.match(
          error.message,
          new RegExp(`^HSM at 127\\.0\\.0\\.1:${port} did not answer \\(.*certificate.*\\)$`),
        );
        return true;
      });
    } finally {
      connection.close();
    }
    // The node itself is fine: a client with the right CA gets answers.
    assert.equal(await hsmInfoWithClusterCa(), cluster.manifest.hsms[0]!.id);
  });

  it('a client verifies the node by DNS name too (localhost is in every node certificate)', async () => {
    const connection = new HsmConnection({ hostname: 'localhost', port }, ca);
    try {
      assert.equal((await connection.call('hsm-info', {})).hsmId, cluster.manifest.hsms[0]!.id);
    } finally {
      connection.close();
    }
  });

  it('a client reports a node that is not listening as unreachable, naming its address', async () => {
    const stopped = await startTestCluster({ hsms: 1 });
    const stoppedPort = stopped.manifest.hsms[0]!.port;
    const stoppedCa = fs.readFileSync(paths(stopped.dir).ca, 'utf8');
    await stopped.close();
    const connection = new HsmConnection({ hostname: '127.0.0.1', port: stoppedPort }, stoppedCa);
    await assert.rejects(connection.call('user-list', {}), {
      name: 'UnreachableError',
      message: `HSM at 127.0.0.1:${stoppedPort} did not answer (connect ECONNREFUSED 127.0.0.1:${stoppedPort})`,
    });
  });
});
