// Test helper: a raw TLS (or plaintext) client that sends arbitrary bytes to a node and collects its reply frames.
import net from 'node:net';
import tls from 'node:tls';
import { FrameDecoder, encodeFrame } from '../../src/protocol/frames.js';

export class RawClient {
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private readonly replies: unknown[] = [];
  private waiter: (() => void) | undefined;
  /** Every byte received, for checks on connections that never carry frames. */
  readonly received: Buffer[] = [];
  closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      for (const event of this.decoder.push(chunk)) {
        if (event.kind === 'frame') this.replies.push(JSON.parse(event.body.toString('utf8')));
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** `extra`: more connect options, e.g. `allowHalfOpen` to keep sending after the node's end. */
  static tls(
    port: number,
    ca: string,
    extra: tls.ConnectionOptions & { allowHalfOpen?: boolean } = {},
  ): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, ...extra }, () =>
        resolve(new RawClient(socket)),
      );
      socket.once('error', reject);
    });
  }

  static plain(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }
  /** Sends a JSON body in one frame (any value: the node must cope with it). */
  send(body: unknown): void {
    this.write(encodeFrame(body));
  }
  /** Sends a frame whose body is the given raw text (e.g. broken JSON). */
  sendText(text: string): void {
    const body = Buffer.from(text, 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    this.write(Buffer.concat([header, body]));
  }

  /** The next reply frame, or undefined if the connection closes first. */
  async next(): Promise<any> {
    for (;;) {
      if (this.replies.length > 0) return this.replies.shift();
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  /** Resolves when the peer has closed the connection. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  close(): void {
    this.socket.destroy();
  }
}
