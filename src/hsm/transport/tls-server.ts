// TLS adapter for one HSM node: the only place that knows about sockets. One session per connection.
import tls from 'node:tls';
import { HsmError, formatMessage } from '../../errors.js';
import { FrameDecoder, MAX_FRAME_BYTES, type Reply, encodeFrame } from '../../protocol/frames.js';
import type { HsmNode } from '../node.js';

export interface TlsServerOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export function startTlsServer(node: HsmNode, options: TlsServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer(
    { cert: options.cert, key: options.key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
    (socket) => serveConnection(node, socket, sockets, log),
  );
  // Plaintext or otherwise broken handshakes end here; the server keeps serving.
  server.on('tlsClientError', (error) => log(`refused a connection: ${error.message}`));
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
            server.close(() => done());
          }),
      });
    });
  });
}

function serveConnection(
  node: HsmNode,
  socket: tls.TLSSocket,
  sockets: Set<tls.TLSSocket>,
  log: (l: string) => void,
) {
  sockets.add(socket);
  const session = node.openSession();
  const decoder = new FrameDecoder();
  let queue = Promise.resolve();
  const send = (reply: Reply) => {
    if (!socket.destroyed) socket.write(encodeFrame(reply));
  };
  socket.on('data', (chunk: Buffer) => {
    for (const event of decoder.push(chunk)) {
      if (event.kind === 'oversized') {
        // The stream cannot be resynchronised after an oversized frame: answer, then close this connection.
        const error = new HsmError('ERR_REQUEST_TOO_LARGE', { size: event.size, limit: MAX_FRAME_BYTES });
        queue = queue.then(() => {
          send({
            v: 1,
            id: null,
            ok: false,
            error: { code: error.code, message: error.message, params: error.params },
          });
          socket.end();
        });
        return;
      }
      const body = event.body;
      queue = queue.then(async () => send(await handleFrame(node, body, session)));
    }
  });
  socket.on('error', (error) => log(`connection error: ${error.message}`));
  socket.on('close', () => {
    sockets.delete(socket);
    node.closeSession(session);
  });
}

async function handleFrame(
  node: HsmNode,
  body: Buffer,
  session: ReturnType<HsmNode['openSession']>,
): Promise<Reply> {
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
