// localhsm console: serves the local web console (cluster, users × HSMs, keys, quorum, audit) and prints its one-time URL.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { HsmError } from '../../errors.js';
import { readCheckpoint } from '../audit-checkpoint-file.js';
import { startNodes, stopNodes } from '../cluster-manager.js';
import { localCommand, type LocalContext, STATE_OPTION, stateDirOf } from '../context.js';
import { readManifest } from '../../cluster/state-dir.js';
import type { RunningConsole } from '../../console/server.js';

export const consoleCommand = localCommand({
  path: ['console'],
  about:
    'Serve the local web console (cluster, users × HSMs, keys × HSMs, quorum tokens, audit) and print its one-time URL (LocalHSM extension)',
  options: [
    STATE_OPTION,
    { long: 'port', value: 'N', help: 'Port to listen on [default: a free port chosen by the system]' },
    {
      long: 'host',
      value: 'H',
      help: 'Address to listen on [default: 127.0.0.1]; anything but loopback is warned about',
    },
    { long: 'open', help: 'Open the URL in the default browser (xdg-open or open)' },
    {
      long: 'checkpoint',
      value: 'FILE',
      help: 'A file written by localhsm audit checkpoint: the audit page verifies each log against it',
    },
  ],
  examples: ['localhsm console', 'localhsm console --port 8484 --open'],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    readManifest(dir);
    const port = Number(options.string('port') ?? '0');
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new HsmError('ERR_STATE', { detail: '--port must be a port number (0 for a free one)' });
    const checkpoint = options.string('checkpoint');
    const running = await serveConsole(dir, ctx, {
      port,
      host: options.string('host'),
      ...(checkpoint !== undefined && { checkpoint: path.resolve(checkpoint) }),
    });
    ctx.out(`LocalHSM console: ${running.url}`);
    ctx.err('The link works once, within 5 minutes; press Ctrl-C to stop the console.');
    if (options.flag('open')) openBrowser(running.url, ctx);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.close();
    return 0;
  },
});

/** Starts the console on a cluster's state directory (also used by localhsm start); warns when not on loopback. */
export async function serveConsole(
  dir: string,
  ctx: LocalContext,
  options: { port?: number; host?: string; checkpoint?: string },
): Promise<RunningConsole> {
  // Loaded only when a console runs: hono and the pages stay out of every other command's start.
  const { isLoopback, startConsole } = await import('../../console/server.js');
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host))
    ctx.err(
      `warning: the console listens on ${host}, not loopback: anyone who can reach it and gets the printed link sees the cluster and can stop its HSMs`,
    );
  const file = options.checkpoint;
  return startConsole({
    stateDir: dir,
    host,
    port: options.port ?? 0,
    control: {
      async stop(hsmId) {
        return (await stopNodes(dir, [hsmId])).length > 0;
      },
      async start(hsmId) {
        await startNodes(dir, { detach: true, only: [hsmId] });
      },
    },
    ...(file !== undefined && { readCheckpoint: () => ({ file, ...readCheckpoint(file) }) }),
  });
}

function openBrowser(url: string, ctx: LocalContext): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => ctx.err(`note: could not run ${opener}; open the URL yourself`));
    child.unref();
  } catch {
    ctx.err(`note: could not run ${opener}; open the URL yourself`);
  }
}
