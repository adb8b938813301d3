// TLS adapter for one HSM node: the only place that knows about sockets. One session per connection.
import net from 'node:net';
import tls from 'node:tls';
import { HsmError, formatMessage } from '../../errors.js';
import { FrameDecoder, MAX_FRAME_BYTES, type Reply, encodeFrame } from '../../protocol/frames.js';
import type { HsmNode } from '../node.js';
import type { Session } from '../session.js';
import { type TransportLimits, transportLimits } from './limits.js';
import { MtlsGate, peerChain } from './mtls-gate.js';
import { NoiseLog } from './noise-log.js';

export interface TlsServerOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  log?: (line: string) => void;
  /** Connection limits; the settings' defaults where not given. */
  limits?: Partial<TransportLimits>;
  /** How often repeated connection noise is summarised in the log [60 s]. */
  noiseIntervalMs?: number;
  /** The appliance CA certificate (server-side key sync under mtls enforcement), admitted beside the anchors. */
  applianceCa?: string;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export function startTlsServer(node: HsmNode, options: TlsServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const limits = transportLimits(undefined, options.limits);
  const noise = new NoiseLog(log, options.noiseIntervalMs);
  const sockets = new Set<net.Socket>();
  // cluster mtls: each connection gets the TLS options of the enforcement level and anchors stored now.
  const gate = new MtlsGate(node, { cert: options.cert, key: options.key }, options.applianceCa);
  // A plain TCP server wrapping each socket in TLS itself: the first-frame deadline starts at accept,
  // before the handshake, on a socket this code holds.
  const server = net.createServer((raw) => serveConnection(node, raw, gate, { sockets, log, noise, limits }));
  server.maxConnections = limits.maxConnections;
  server.on('drop', () =>
    noise.note(
      'connections refused over the cap',
      `refused a connection: ${limits.maxConnections} connections are open (the node's cap)`,
    ),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            noise.flush();
            noise.stop();
            server.close(() => done());
          }),
      });
    });
  });
}

interface ConnectionContext {
  sockets: Set<net.Socket>;
  log: (line: string) => void;
  noise: NoiseLog;
  limits: TransportLimits;
}

type Work = { kind: 'frame'; body: Buffer } | { kind: 'oversized'; size: number };

function serveConnection(
  node: HsmNode,
  raw: net.Socket,
  gate: MtlsGate,
  { sockets, noise, limits }: ConnectionContext,
) {
  sockets.add(raw);
  // Replies go out at once: with Nagle's algorithm a reply waits for the client's delayed ACK of the one
  // before it (up to 40 ms) whenever a client keeps several requests in flight.
  raw.setNoDelay(true);
  const socket = new tls.TLSSocket(raw, { isServer: true, ...gate.connectionTls() });
  const session = node.openSession();
  /** The anchors setting the client chain last verified against (see MtlsGate.admits). */
  const verified: { text?: string } = {};
  const decoder = new FrameDecoder();
  const work: Work[] = [];
  let secure = false;
  let busy = false;
  /** Set after an oversized frame: nothing more from this connection is read or executed. */
  let closing = false;

  const close = (kind: string, firstLine: string) => {
    if (socket.destroyed) return;
    noise.note(kind, firstLine);
    socket.destroy();
  };
  // One deadline for the handshake plus the first frame, then the idle deadline after each frame.
  let deadline = setTimeout(
    () =>
      close(
        'connections closed without a first frame in time',
        `closed a connection: no TLS handshake and first frame within ${limits.firstFrameMs / 1000} s`,
      ),
    limits.firstFrameMs,
  );
  const armIdle = () => {
    clearTimeout(deadline);
    deadline = setTimeout(() => {
      // A logged-in session is ended only by session_idle_seconds (checked here), never by this timer.
      if (node.sessions.loggedIn(session)) return armIdle();
      close(
        'idle connections closed',
        `closed a connection: no login and no request for ${limits.unauthenticatedIdleMs / 1000} s`,
      );
    }, limits.unauthenticatedIdleMs);
  };
  let bodyTimer: NodeJS.Timeout | undefined;
  // A frame must arrive whole within frameBodyMs of its first byte; not counted while the node itself
  // has stopped reading (backpressure).
  const watchPartialFrame = () => {
    if (!decoder.partial || closing || socket.isPaused()) {
      clearTimeout(bodyTimer);
      bodyTimer = undefined;
    } else if (!bodyTimer) {
      bodyTimer = setTimeout(
        () =>
          close(
            'connections closed with a stalled frame',
            `closed a connection: a frame stalled for ${limits.frameBodyMs / 1000} s`,
          ),
        limits.frameBodyMs,
      );
    }
  };

  const send = (reply: Reply) => {
    if (!socket.destroyed && socket.writable) socket.write(encodeFrame(reply));
  };
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });

  // Frames run one at a time; reading pauses while any wait, and while the client leaves more than
  // maxUnsentReplyBytes of replies unread, so a connection holds little more than that in memory.
  const pump = async () => {
    if (busy) return;
    busy = true;
    socket.pause();
    watchPartialFrame();
    while (work.length > 0 && !socket.destroyed) {
      const item = work.shift()!;
      if (item.kind === 'oversized') {
        // The stream cannot be resynchronised after an oversized frame: answer, then close.
        const error = new HsmError('ERR_REQUEST_TOO_LARGE', { size: item.size, limit: MAX_FRAME_BYTES });
        send({
          v: 1,
          id: null,
          ok: false,
          error: { code: error.code, message: error.message, params: error.params },
        });
        socket.end();
        // The client may keep its side open; it gets frameBodyMs to read the reply.
        clearTimeout(deadline);
        deadline = setTimeout(() => socket.destroy(), limits.frameBodyMs);
        break;
      }
      send(await handleFrame(node, item.body, session));
      if (socket.writableLength > limits.maxUnsentReplyBytes) await drained();
    }
    busy = false;
    // After an oversized frame the socket is still read (and discarded) so that the client's end is seen.
    if (!socket.destroyed) {
      socket.resume();
      watchPartialFrame();
    }
  };

  // Refused by enforcement: one error frame (the client reports "HSM is disconnected"), then the end.
  // Nothing this connection sent is executed.
  const refuseClientCertificate = () => {
    closing = true;
    work.length = 0;
    noise.note(
      'connections refused without a client certificate from a trust anchor',
      'refused a connection: mtls enforcement is cluster and its client certificate does not chain to a registered trust anchor',
    );
    const error = new HsmError('ERR_HSM_DISCONNECTED');
    send({ v: 1, id: null, ok: false, error: { code: error.code, message: error.message, params: {} } });
    socket.end();
    clearTimeout(deadline);
    deadline = setTimeout(() => socket.destroy(), limits.frameBodyMs);
  };
  socket.on('secure', () => {
    secure = true;
    session.clientChain = peerChain(socket);
    if (!gate.admits(session.clientChain, verified)) refuseClientCertificate();
  });
  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    // Enforcement turned on, or the anchor removed, since this connection was accepted.
    if (!gate.admits(session.clientChain, verified)) return refuseClientCertificate();
    for (const event of decoder.push(chunk)) {
      work.push(event);
      if (event.kind === 'oversized') {
        closing = true;
        break;
      }
    }
    if (work.length > 0 && !closing) armIdle();
    watchPartialFrame();
    void pump();
  });
  socket.on('error', (error) =>
    secure
      ? noise.note('connection errors', `connection error: ${error.message}`)
      : noise.note('failed TLS handshakes', `refused a connection: ${error.message}`),
  );
  socket.on('close', () => {
    clearTimeout(deadline);
    clearTimeout(bodyTimer);
    sockets.delete(raw);
    node.closeSession(session);
  });
  raw.on('error', () => {});
}

async function handleFrame(node: HsmNode, body: Buffer, session: Session): Promise<Reply> {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    const params = { detail: 'the body is not valid JSON' };
    return {
      v: 1,
      id: null,
      ok: false,
      error: { code: 'ERR_BAD_REQUEST', message: formatMessage('ERR_BAD_REQUEST', params), params },
    };
  }
  return node.handle(request, session);
}
