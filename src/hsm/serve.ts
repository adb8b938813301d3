// Runs one HSM node as a process: opens its SQLite state, serves TLS, writes a pid file, stops cleanly on signals.
import fs from 'node:fs';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenMode } from '../files/modes.js';
import { dataFiles } from './data-files.js';
import { type Clock, HsmNode } from './node.js';
import { openNodeState } from './open-state.js';
import type { Masking } from './keys/masking.js';
import { readMaskingKey } from './keys/masking-file.js';
import { type TransportLimits, transportLimits } from './transport/limits.js';
import { type RunningServer, startTlsServer } from './transport/tls-server.js';

export interface ServeOptions {
  dataDir: string;
  host: string;
  port: number;
  log: (line: string) => void;
  /** Time source for token expiry and session idling (tests pass a controllable one). */
  clock?: Clock;
  /** Connection limits over the node's settings (tests use small timeouts). */
  limits?: Partial<TransportLimits>;
  /** The appliance CA certificate its peers' key sync presents under mtls enforcement (made from the masking key). */
  applianceCa?: (masking: Masking) => Promise<string>;
}

export interface ServingNode {
  node: HsmNode;
  server: RunningServer;
  stop(): Promise<void>;
}

export async function serveHsm(options: ServeOptions): Promise<ServingNode> {
  const files = dataFiles(options.dataDir);
  for (const file of [files.db, files.cert, files.key]) {
    if (!fs.existsSync(file))
      throw new Error(`${file} is missing: not an HSM data directory (create one with localhsm up)`);
  }
  // The database holds password hashes and the key file the node's TLS key: both private to the owner.
  for (const [file, mode] of [
    [options.dataDir, PRIVATE_DIR_MODE],
    [files.db, PRIVATE_FILE_MODE],
    [files.key, PRIVATE_FILE_MODE],
    [files.auditKey, PRIVATE_FILE_MODE],
    [files.maskingKey, PRIVATE_FILE_MODE],
  ] as const) {
    const warning = tightenMode(file, mode);
    if (warning) options.log(warning);
  }
  const { store, auditKey } = openNodeState(options.dataDir);
  const masking = readMaskingKey(options.dataDir);
  const node = new HsmNode(store, {
    clock: options.clock,
    auditKey,
    masking,
    onInternalError: (op, error) =>
      options.log(`internal error in ${op}: ${(error as Error)?.stack ?? String(error)}`),
  });
  const server = await startTlsServer(node, {
    host: options.host,
    port: options.port,
    cert: fs.readFileSync(files.cert, 'utf8'),
    key: fs.readFileSync(files.key, 'utf8'),
    log: options.log,
    limits: transportLimits(store, options.limits),
    ...(masking && options.applianceCa ? { applianceCa: await options.applianceCa(masking) } : {}),
  });
  fs.writeFileSync(files.pid, `${process.pid}\n`, { mode: 0o600 });
  options.log(`${node.hsmId} of ${node.clusterId} serving TLS on ${options.host}:${server.port}`);
  // Pre-login noise reaches the audit log as one summary row per minute (see AuditNoise).
  const auditNoiseTimer = setInterval(() => node.flushAuditNoise(), 60_000);
  auditNoiseTimer.unref();
  let stopped = false;
  return {
    node,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      clearInterval(auditNoiseTimer);
      node.flushAuditNoise();
      store.close();
      fs.rmSync(files.pid, { force: true });
      options.log(`${node.hsmId} stopped`);
    },
  };
}
