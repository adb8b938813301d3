// One TLS connection to one HSM: typed calls, replies matched by id, the cluster CA as the only trust anchor.
import { isIP } from 'node:net';
import tls from 'node:tls';
import { HsmError } from '../errors.js';
import {
  FrameDecoder,
  MAX_REPLY_BYTES,
  PROTOCOL_VERSION,
  type Reply,
  encodeFrame,
  parseReply,
} from '../protocol/frames.js';
import { OPERATIONS, type OpArgs, type OpResult, type OperationName } from '../protocol/operations.js';

export interface ServerAddress {
  hostname: string;
  port: number;
}

/** The HSM could not be reached or stopped answering; distinct from an HSM's refusal (HsmError). */
export class UnreachableError extends Error {
  constructor(
    readonly address: string,
    detail: string,
  ) {
    super(`HSM at ${address} did not answer (${detail})`);
    this.name = 'UnreachableError';
  }
}

const CONNECT_TIMEOUT_MS = 5_000;
/** Refusals for want of a login from an HSM whose connection closed while logged in (it restarted): its address. */
const FORGOTTEN_LOGIN = new WeakMap<Error, string>();

/** The address of the HSM that refused `error` because it restarted since this session logged in to it. */
export function restartedHsm(error: unknown): string | undefined {
  return error instanceof Error ? FORGOTTEN_LOGIN.get(error) : undefined;
}
/** Failures that mean the node closed the connection (rather than refusing or garbling a reply). */
const PEER_CLOSED = new WeakSet<Error>();

export class HsmConnection {
  private socket: tls.TLSSocket | undefined;
  private nextId = 1;
  /** Who this connection's session is logged in as, as far as the replies tell; undefined: no login. */
  private login: { username: string; role: string } | undefined;
  /** The connection closed while logged in: a node that answers "not logged in" now has forgotten the session. */
  private lostLogin = false;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  constructor(
    readonly server: ServerAddress,
    private readonly ca: string,
    /** The cluster mtls client certificate and key (cloudhsm-cli.cfg), presented when given. */
    private readonly client?: { cert: string; key: string },
  ) {}

  get address(): string {
    return `${this.server.hostname}:${this.server.port}`;
  }
  /** The session's login as the replies told it (the node stays the authority and checks every request). */
  get loggedInAs(): { username: string; role: string } | undefined {
    return this.connected ? this.login : undefined;
  }
  /** The connection closed while logged in and no login since: the node it reaches now has no session. */
  get forgotLogin(): boolean {
    return this.lostLogin;
  }
  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }
  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: this.server.hostname,
        port: this.server.port,
        ca: this.ca,
        servername: isIP(this.server.hostname) !== 0 ? undefined : this.server.hostname,
        minVersion: 'TLSv1.2',
        timeout: CONNECT_TIMEOUT_MS,
        ...(this.client ? { cert: this.client.cert, key: this.client.key } : {}),
      });
      const fail = (error: Error) => {
        socket.destroy();
        reject(refusedClientCertificate(error) ?? new UnreachableError(this.address, describe(error)));
      };
      socket.once('secureConnect', () => {
        socket.off('error', fail);
        socket.setTimeout(0);
        // Several requests in flight (the library API): each goes out at once, not after the previous
        // reply's ACK (Nagle's algorithm).
        socket.setNoDelay(true);
        this.attach(socket);
        resolve();
      });
      socket.once('error', fail);
      socket.once('timeout', () => fail(new Error('connection timed out')));
    });
  }

  private attach(socket: tls.TLSSocket): void {
    this.socket = socket;
    const decoder = new FrameDecoder(MAX_REPLY_BYTES);
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame')
          return this.failAll(new UnreachableError(this.address, 'oversized reply'));
        let reply: Reply | undefined;
        try {
          reply = parseReply(JSON.parse(event.body.toString('utf8')));
        } catch {
          reply = undefined;
        }
        if (!reply) return this.failAll(new UnreachableError(this.address, 'malformed reply'));
        // The node refused this connection's client certificate (cluster mtls) and closes it.
        if (reply.id === null && !reply.ok && reply.error.code === 'ERR_HSM_DISCONNECTED')
          return this.failAll(new HsmError('ERR_HSM_DISCONNECTED'));
        const waiter = reply.id === null ? undefined : this.pending.get(reply.id);
        if (!waiter) continue;
        this.pending.delete(reply.id!);
        waiter.resolve(reply);
      }
    });
    const closed = (detail: string) => {
      const error = new UnreachableError(this.address, detail);
      PEER_CLOSED.add(error);
      this.failAll(error);
    };
    socket.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      const refused = refusedClientCertificate(error);
      if (refused) this.failAll(refused);
      else if (code === 'ECONNRESET' || code === 'EPIPE') closed(describe(error));
      else this.failAll(new UnreachableError(this.address, describe(error)));
    });
    socket.on('close', () => closed('connection closed'));
  }

  private failAll(error: Error): void {
    this.socket?.destroy();
    this.socket = undefined;
    if (this.login) this.lostLogin = true;
    this.login = undefined;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  /** Sends one request; resolves with the validated result, rejects with HsmError or UnreachableError. */
  async call<O extends OperationName>(op: O, args: OpArgs<O>): Promise<OpResult<O>> {
    const heldLogin = this.login !== undefined;
    const reply = await this.send(op, args).catch((error: Error) => {
      // A node closes a connection without a login after a while without requests; a request that
      // crossed that close was never run, so it goes once more on a new connection. Not an activation,
      // whose second answer would hide the first one's success.
      if (!PEER_CLOSED.has(error) || heldLogin || op === 'cluster-activate') throw error;
      return this.send(op, args);
    });
    if (!reply.ok) {
      const error = new HsmError(reply.error.code, reply.error.params);
      if (error.code === 'ERR_NOT_LOGGED_IN' && this.lostLogin) FORGOTTEN_LOGIN.set(error, this.address);
      throw error;
    }
    const result = OPERATIONS[op].result.safeParse(reply.result);
    if (!result.success) throw new UnreachableError(this.address, `unexpected reply to ${op}`);
    this.trackLogin(op, result.data);
    return result.data as OpResult<O>;
  }

  /** Who the session is logged in as after a successful reply: set by a login (an MFA login's commit step, not its verify step), cleared by logout. */
  private trackLogin(op: OperationName, result: unknown): void {
    if (op === 'logout') this.login = undefined;
    if (op !== 'login' && op !== 'login-mfa-finish') return;
    this.lostLogin = false;
    const r = result as OpResult<'login-mfa-finish'> | OpResult<'login'>;
    if ('committed' in r && !r.committed) return;
    this.login = { username: r.username, role: r.role };
  }

  private async send(op: OperationName, args: unknown): Promise<Reply> {
    await this.connect();
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket!.write(encodeFrame({ v: PROTOCOL_VERSION, id, op, args }));
    });
  }

  close(): void {
    this.socket?.end();
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/** System errors already name their code ("connect ECONNREFUSED 127.0.0.1:2223"); TLS errors do not. */
function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

/**
 * TLS alerts by which a node refuses the client certificate (none sent, or not from a trust anchor):
 * under cluster mtls enforcement the real cloudhsm-cli reports these as "HSM is disconnected".
 */
const CLIENT_CERTIFICATE_ALERTS = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
]);

function refusedClientCertificate(error: Error): HsmError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return code && CLIENT_CERTIFICATE_ALERTS.has(code) ? new HsmError('ERR_HSM_DISCONNECTED') : undefined;
}
