// Serves the console over HTTP on one address (127.0.0.1 by default) and prints nothing itself: the caller
// prints the login URL it returns.
import net from 'node:net';
import { serve } from '@hono/node-server';
import { type NodeControl, consoleActions } from './actions.js';
import { createConsoleApp } from './app.js';
import { ConsoleSecurity, hostPort } from './security.js';
import { type AuditCheckpoint, ConsoleState } from './state.js';

export interface ConsoleServerOptions {
  stateDir: string;
  host?: string;
  /** 0 (the default): a free port chosen by the system. */
  port?: number;
  control: NodeControl;
  readCheckpoint?: () => AuditCheckpoint;
}

export interface RunningConsole {
  /** The one-time login URL (prints it; it works once, for 5 minutes). */
  url: string;
  /** `http://host:port`: the only origin the console accepts. */
  origin: string;
  security: ConsoleSecurity;
  close(): Promise<void>;
}

export const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));

export async function startConsole(options: ConsoleServerOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const state = new ConsoleState(options.stateDir, options.readCheckpoint);
  // The port is known only once listening; the app reads the security object made then.
  let security: ConsoleSecurity | undefined;
  let app: ReturnType<typeof createConsoleApp> | undefined;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      {
        fetch: (request, env) => app!.fetch(request, env),
        hostname: host,
        port: options.port ?? 0,
      },
      (info) => {
        security = new ConsoleSecurity(hostPort(host, info.port));
        app = createConsoleApp({
          state,
          security,
          actions: consoleActions(options.stateDir, options.control),
        });
        resolve(s);
      },
    );
    s.once('error', reject);
  });
  return {
    url: security!.loginUrl(security!.issueLoginToken()),
    origin: security!.origin,
    security: security!,
    async close() {
      state.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Live-update streams stay open otherwise.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
