// Baseline for the load benchmark: a bare TLS server that answers every frame with a small fixed frame.
import fs from 'node:fs';
import tls from 'node:tls';
import { FrameDecoder, encodeFrame } from '../src/protocol/frames.js';

const [certFile, keyFile, port] = process.argv.slice(2);
const server = tls.createServer(
  { cert: fs.readFileSync(certFile!), key: fs.readFileSync(keyFile!) },
  (socket) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') {
          socket.destroy();
          return;
        }
        const { id } = JSON.parse(event.body.toString('utf8')) as { id: number };
        socket.write(encodeFrame({ v: 1, id, ok: true, result: {} }));
      }
    });
    socket.on('error', () => socket.destroy());
  },
);
server.listen(Number(port ?? 0), '127.0.0.1', () =>
  process.stdout.write(`ready ${(server.address() as { port: number }).port}\n`),
);
process.on('SIGTERM', () => process.exit(0));
