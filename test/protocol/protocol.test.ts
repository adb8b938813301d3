// The wire protocol under bad input: HsmNode.handle directly, and a real node over TLS with a raw client.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame } from '../../src/protocol/frames.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { makeNode } from '../helpers/node.js';
import { RawClient } from '../helpers/raw-client.js';

interface BadCase {
  name: string;
  body: unknown;
  id: number | null;
  code: string;
  message: string;
}

/** Requests that reach the node decoded but wrong; each must get a clear refusal. */
const BAD_REQUESTS: BadCase[] = [
  {
    name: 'a body that is an array, not an object',
    body: [1, 2],
    id: null,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: Invalid input: expected object, received array',
  },
  {
    name: 'a body that is a string',
    body: 'user-list',
    id: null,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: Invalid input: expected object, received string',
  },
  {
    name: 'a body that is null',
    body: null,
    id: null,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: Invalid input: expected object, received null',
  },
  {
    name: 'a wrong protocol version',
    body: { v: 2, id: 11, op: 'user-list', args: {} },
    id: 11,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: v: Invalid input: expected 1',
  },
  {
    name: 'a missing id and args',
    body: { v: 1, op: 'user-list' },
    id: null,
    code: 'ERR_BAD_REQUEST',
    message:
      'Malformed request: id: Invalid input: expected number, received undefined; args: Invalid input: expected nonoptional, received undefined',
  },
  {
    name: 'an extra envelope field',
    body: { v: 1, id: 12, op: 'user-list', args: {}, session: 'x' },
    id: 12,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: Unrecognized key: "session"',
  },
  {
    name: 'an empty operation name',
    body: { v: 1, id: 13, op: '', args: {} },
    id: 13,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: op: Too small: expected string to have >=1 characters',
  },
  {
    name: 'an unknown operation',
    body: { v: 1, id: 14, op: 'key-teleport', args: {} },
    id: 14,
    code: 'ERR_UNKNOWN_OPERATION',
    message: 'Unknown operation: key-teleport',
  },
  {
    name: 'an inherited property name as operation',
    body: { v: 1, id: 15, op: 'constructor', args: {} },
    id: 15,
    code: 'ERR_UNKNOWN_OPERATION',
    message: 'Unknown operation: constructor',
  },
  {
    name: 'wrongly typed args',
    body: { v: 1, id: 16, op: 'login', args: { username: 42, role: 'admin', password: 'secret-value-1' } },
    id: 16,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: login: username: Invalid input: expected string, received number',
  },
  {
    name: 'args that are not an object',
    body: { v: 1, id: 17, op: 'user-list', args: ['x'] },
    id: 17,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: user-list: Invalid input: expected object, received array',
  },
  {
    name: 'a missing argument',
    body: { v: 1, id: 18, op: 'login', args: { username: 'admin', role: 'admin' } },
    id: 18,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: login: password: Invalid input: expected string, received undefined',
  },
  {
    name: 'extra args keys',
    body: { v: 1, id: 19, op: 'user-list', args: { verbose: true } },
    id: 19,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: user-list: Unrecognized key: "verbose"',
  },
  {
    name: 'extra args keys next to valid ones',
    body: {
      v: 1,
      id: 20,
      op: 'login',
      args: { username: 'admin', role: 'admin', password: 'secret-value-1', otp: '1' },
    },
    id: 20,
    code: 'ERR_BAD_REQUEST',
    message: 'Malformed request: login: Unrecognized key: "otp"',
  },
];

describe('HsmNode.handle with bad requests', () => {
  for (const c of BAD_REQUESTS) {
    it(`refuses ${c.name} with ${c.code}, and keeps serving`, async () => {
      const { node } = await makeNode();
      const session = node.openSession();
      const reply = await node.handle(c.body, session);
      assert.deepEqual(
        {
          v: reply.v,
          id: reply.id,
          ok: reply.ok,
          code: !reply.ok && reply.error.code,
          message: !reply.ok && reply.error.message,
        },
        { v: 1, id: c.id, ok: false, code: c.code, message: c.message },
      );
      const next = await node.handle({ v: 1, id: 99, op: 'hsm-info', args: {} }, session);
      assert.equal(next.ok, true);
      assert.equal(next.id, 99);
    });
  }

  it('never echoes argument values (they may be secrets) in a refusal', async () => {
    const { node } = await makeNode();
    const reply = await node.handle(
      { v: 1, id: 1, op: 'login', args: { username: 'admin', role: 'admin', password: 'x'.repeat(300) } },
      node.openSession(),
    );
    assert.equal(reply.ok, false);
    assert.ok(
      !reply.ok &&
        reply.error.message ===
          'Malformed request: login: password: Too big: expected string to have <=256 characters',
    );
    assert.ok(!JSON.stringify(reply).includes('xxxxxxxx'));
  });

  it('accepts args: null for an operation that takes no arguments', async () => {
    const { node } = await makeNode();
    const reply = await node.handle({ v: 1, id: 3, op: 'user-list', args: null }, node.openSession());
    assert.equal(reply.ok, true);
  });
});

describe('FrameDecoder', () => {
  it('reassembles frames split at every byte and several frames in one chunk', () => {
    const a = encodeFrame({ v: 1, id: 1, op: 'hsm-info', args: {} });
    const b = encodeFrame({ v: 1, id: 2, op: 'user-list', args: {} });
    const decoder = new FrameDecoder();
    const bodies: string[] = [];
    for (const byte of a)
      for (const e of decoder.push(Buffer.from([byte])))
        if (e.kind === 'frame') bodies.push(e.body.toString());
    for (const e of decoder.push(Buffer.concat([b, a])))
      if (e.kind === 'frame') bodies.push(e.body.toString());
    assert.deepEqual(
      bodies.map((t) => JSON.parse(t).id),
      [1, 2, 1],
    );
  });

  it('reports a declared size above the limit without waiting for the body', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    assert.deepEqual(new FrameDecoder().push(header), [{ kind: 'oversized', size: MAX_FRAME_BYTES + 1 }]);
  });
});

describe('a node over TLS with bad requests', () => {
  let cluster: TestCluster;
  let ca: string;
  let port: number;
  before(async () => {
    cluster = await startTestCluster({ hsms: 1 });
    ca = fs.readFileSync(paths(cluster.dir).ca, 'utf8');
    port = cluster.nodes[0]!.server.port;
  });
  after(() => cluster.close());

  async function expectServing(client: RawClient, id: number): Promise<void> {
    client.send({ v: 1, id, op: 'hsm-info', args: {} });
    const reply = await client.next();
    assert.equal(reply?.ok, true, JSON.stringify(reply));
    assert.equal(reply.id, id);
    assert.equal(reply.result.hsmId, cluster.manifest.hsms[0]!.id);
  }

  it('answers a body that is not JSON with ERR_BAD_REQUEST, then serves a valid request on the same connection', async () => {
    const client = await RawClient.tls(port, ca);
    try {
      client.sendText('{"v":1,"id":7,"op":');
      assert.deepEqual(await client.next(), {
        v: 1,
        id: null,
        ok: false,
        error: {
          code: 'ERR_BAD_REQUEST',
          message: 'Malformed request: the body is not valid JSON',
          params: { detail: 'the body is not valid JSON' },
        },
      });
      await expectServing(client, 100);
    } finally {
      client.close();
    }
  });

  it('answers every decoded-but-wrong request with its clear error, in order, on one connection', async () => {
    const client = await RawClient.tls(port, ca);
    try {
      for (const [i, c] of BAD_REQUESTS.entries()) {
        client.send(c.body);
        const reply = await client.next();
        assert.deepEqual(
          {
            name: c.name,
            id: reply.id,
            ok: reply.ok,
            code: reply.error?.code,
            message: reply.error?.message,
          },
          { name: c.name, id: c.id, ok: false, code: c.code, message: c.message },
        );
        await expectServing(client, 200 + i);
      }
    } finally {
      client.close();
    }
  });

  it('accepts a frame of exactly the 1 MiB limit', async () => {
    const client = await RawClient.tls(port, ca);
    try {
      const json = JSON.stringify({ v: 1, id: 300, op: 'hsm-info', args: {} });
      client.sendText(json + ' '.repeat(MAX_FRAME_BYTES - json.length));
      const reply = await client.next();
      assert.equal(reply.ok, true);
      assert.equal(reply.id, 300);
    } finally {
      client.close();
    }
  });

  it('refuses a frame declared larger than 1 MiB, closes that connection, and serves a new one', async () => {
    const client = await RawClient.tls(port, ca);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    client.write(Buffer.concat([header, Buffer.from('{"v":1,"id":1,"op":"hsm-info","args":{}}')]));
    assert.deepEqual(await client.next(), {
      v: 1,
      id: null,
      ok: false,
      error: {
        code: 'ERR_REQUEST_TOO_LARGE',
        message: `Request too large: ${MAX_FRAME_BYTES + 1} bytes exceeds the limit of ${MAX_FRAME_BYTES} bytes`,
        params: { size: MAX_FRAME_BYTES + 1, limit: MAX_FRAME_BYTES },
      },
    });
    await client.whenClosed();
    assert.equal(await client.next(), undefined, 'nothing more arrives on the closed connection');

    const fresh = await RawClient.tls(port, ca);
    try {
      await expectServing(fresh, 400);
    } finally {
      fresh.close();
    }
  });

  it('refuses a 16 MiB declared frame the same way', async () => {
    const client = await RawClient.tls(port, ca);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(16 * MAX_FRAME_BYTES, 0);
    client.write(header);
    const reply = await client.next();
    assert.equal(reply.error.code, 'ERR_REQUEST_TOO_LARGE');
    assert.equal(
      reply.error.message,
      `Request too large: ${16 * MAX_FRAME_BYTES} bytes exceeds the limit of ${MAX_FRAME_BYTES} bytes`,
    );
    await client.whenClosed();
  });
});
