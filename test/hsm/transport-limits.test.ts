// The node's connection limits over real TLS: deadlines, the connection cap, nothing run after an oversized frame.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { HsmConnection } from '../../src/cluster/connection.js';
import { createClusterCa, issueNodeCert } from '../../src/cluster/pki.js';
import type { TransportLimits } from '../../src/hsm/transport/limits.js';
import { type RunningServer, startTlsServer } from '../../src/hsm/transport/tls-server.js';
import { encodeFrame } from '../../src/protocol/frames.js';
import { NODE_ADMIN_PASSWORD, type TestNode, makeNode, success } from '../helpers/node.js';
import { RawClient } from '../helpers/raw-client.js';

// Each test fails by this timeout on a node that never closes a connection.
const T = { timeout: 20_000 };
const LONG = 60_000;

interface Served {
  test: TestNode;
  server: RunningServer;
  ca: string;
  lines: string[];
  /** Resolves when a log line matching `pattern` has been written. */
  logged(pattern: RegExp): Promise<void>;
}

const servers: RunningServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function serve(limits: Partial<TransportLimits>): Promise<Served> {
  const test = await makeNode({ activated: true });
  const ca = await createClusterCa('cluster-aaaaaaaaaaa');
  const pair = await issueNodeCert(ca, test.node.hsmId);
  const lines: string[] = [];
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  const server = await startTlsServer(test.node, {
    host: '127.0.0.1',
    port: 0,
    cert: pair.cert,
    key: pair.key,
    limits: { firstFrameMs: LONG, frameBodyMs: LONG, unauthenticatedIdleMs: LONG, ...limits },
    log: (line) => {
      lines.push(line);
      for (const w of watchers.filter((w) => w.pattern.test(line))) w.resolve();
    },
  });
  servers.push(server);
  const logged = (pattern: RegExp) =>
    lines.some((l) => pattern.test(l))
      ? Promise.resolve()
      : new Promise<void>((resolve) => watchers.push({ pattern, resolve }));
  return { test, server, ca: ca.cert, lines, logged };
}

const frame = (op: string, args: unknown = {}, id = 1) => encodeFrame({ v: 1, id, op, args });

describe('connection deadlines', () => {
  it('closes a TCP connection that never starts the TLS handshake', T, async () => {
    const { server } = await serve({ firstFrameMs: 100 });
    const plain = await RawClient.plain(server.port);
    await plain.whenClosed();
    assert.equal(plain.received.length, 0);
  });

  it('closes a TLS connection that sends no complete first frame', T, async () => {
    const { server, ca } = await serve({ firstFrameMs: 150 });
    const client = await RawClient.tls(server.port, ca);
    client.write(frame('hsm-info').subarray(0, 6));
    await client.whenClosed();
    assert.equal(await client.next(), undefined);
  });

  it('closes a connection whose frame stalls mid-body, after serving its earlier frames', T, async () => {
    const { server, ca } = await serve({ frameBodyMs: 150 });
    const client = await RawClient.tls(server.port, ca);
    client.write(frame('hsm-info'));
    assert.equal((await client.next()).ok, true);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(100);
    client.write(Buffer.concat([header, Buffer.from('{"v":1,')]));
    await client.whenClosed();
  });

  it('closes an idle connection without a login, never an idle logged-in one', T, async () => {
    const { server, ca, test } = await serve({ unauthenticatedIdleMs: 150 });
    const admin = await RawClient.tls(server.port, ca);
    admin.write(frame('login', { username: 'admin', role: 'admin', password: NODE_ADMIN_PASSWORD }));
    assert.equal((await admin.next()).ok, true);
    // Opened after the admin's last request: if the admin's connection were subject to the idle
    // deadline, it would be closed before this one.
    const anonymous = await RawClient.tls(server.port, ca);
    anonymous.write(frame('hsm-info'));
    assert.equal((await anonymous.next()).ok, true);
    await anonymous.whenClosed();
    const second = await RawClient.tls(server.port, ca);
    second.write(frame('hsm-info'));
    await second.whenClosed();
    assert.equal(admin.closed, false);
    admin.write(frame('user-list', {}, 2));
    assert.equal((await admin.next()).ok, true);
    // Once session_idle_seconds has passed the login is over, and so is the connection.
    test.clock.advance(31 * 60);
    await admin.whenClosed();
  });

  it(
    'a client without a login reconnects by itself after the node closed its idle connection',
    T,
    async () => {
      const { server, ca, logged } = await serve({ unauthenticatedIdleMs: 100 });
      const connection = new HsmConnection({ hostname: '127.0.0.1', port: server.port }, ca);
      try {
        const first = await connection.call('hsm-info', {});
        await logged(/no login and no request/);
        assert.deepEqual(await connection.call('hsm-info', {}), first);
      } finally {
        connection.close();
      }
    },
  );
});

describe('the connection cap', () => {
  it(
    'refuses connections over the cap at once, logs it once, and serves again when one drops',
    T,
    async () => {
      const { server, ca, lines } = await serve({ maxConnections: 3 });
      const held = await Promise.all([0, 1, 2].map(() => RawClient.plain(server.port)));
      for (let i = 0; i < 10; i++) {
        await assert.rejects(RawClient.tls(server.port, ca));
      }
      assert.equal(lines.filter((l) => /cap/.test(l)).length, 1, lines.join('\n'));
      held[0]!.close();
      let served: RawClient | undefined;
      // The node sees the drop asynchronously: try until it has (a count, not a time).
      for (let i = 0; i < 200 && !served; i++)
        served = await RawClient.tls(server.port, ca).catch(() => undefined);
      assert.ok(served, 'served again after a connection dropped');
      served.write(frame('hsm-info'));
      assert.equal((await served.next()).ok, true);
      for (const c of [...held, served]) c.close();
    },
  );
});

describe('an oversized frame', () => {
  it('ends the connection: nothing sent after it is executed', T, async () => {
    const { server, ca, test } = await serve({ frameBodyMs: 200 });
    const admin = await test.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    success(
      await test.send(admin, 'user-create', {
        username: 'alice',
        role: 'crypto-user',
        password: 'alice-pass-1',
      }),
    );
    const client = await RawClient.tls(server.port, ca, { allowHalfOpen: true });
    const header = Buffer.alloc(4);
    header.writeUInt32BE(2 * 1024 * 1024);
    client.write(header);
    assert.equal((await client.next()).error.code, 'ERR_REQUEST_TOO_LARGE');
    const wrong = { username: 'alice', role: 'crypto-user', password: 'wrong-pass-1' };
    client.write(Buffer.concat([2, 3, 4].map((id) => frame('login', wrong, id))));
    client.socket.end();
    await client.whenClosed();
    // A login on a fresh connection runs after anything the node still had from the first one.
    const probe = await RawClient.tls(server.port, ca);
    probe.write(frame('login', wrong, 5));
    assert.equal((await probe.next()).error.code, 'ERR_LOGIN_FAILED');
    probe.close();
    assert.equal(test.store.getUser('alice')!.failedLogins, 1);
  });
});

describe('connection noise in the log', () => {
  it('logs a flood of failed handshakes as one line, not one per connection', T, async () => {
    const { server, lines } = await serve({});
    for (let i = 0; i < 40; i++) {
      const plain = await RawClient.plain(server.port);
      plain.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
      await plain.whenClosed();
    }
    const noise = lines.filter((l) => /handshake|refused a connection/.test(l));
    assert.equal(noise.length, 1, noise.join('\n'));
  });
});
