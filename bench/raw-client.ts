// A minimal TLS frame client for the load benchmark: same bytes to the HSM node and to the echo baseline.
import tls from 'node:tls';
import { FrameDecoder, MAX_REPLY_BYTES, encodeFrame } from '../src/protocol/frames.js';

export class RawClient {
  private waiting: ((body: Buffer) => void) | undefined;
  private nextId = 1;

  private constructor(private readonly socket: tls.TLSSocket) {
    const decoder = new FrameDecoder(MAX_REPLY_BYTES);
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) if (event.kind === 'frame') this.waiting?.(event.body);
    });
  }

  static connect(port: number, ca: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends one request and resolves with the reply body (one request in flight per connection). */
  request(op: string, args: unknown): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(encodeFrame({ v: 1, id: this.nextId++, op, args }));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
