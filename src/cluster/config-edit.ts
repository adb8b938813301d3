// Changing a cloudhsm-cli.cfg as configure-cli does: the file stays JSON with every member it had, only the
// members an option names change.
import fs from 'node:fs';
import path from 'node:path';
import { HsmError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { checkConfig, readConfig } from './config.js';

/** The port configure-cli writes for an address given without one (CloudHSM's client port). */
export const DEFAULT_HSM_PORT = 2223;

export type RawConfig = Record<string, unknown> & { clusters: RawEntry[] };
export type RawEntry = Record<string, unknown> & {
  cluster: Record<string, unknown> & { servers: RawServer[] };
};
export type RawServer = Record<string, unknown> & { hostname: string; port: number };

/** The config as written (unknown members kept), after checking it has the shape cloudhsm-cli reads. */
export function readRawConfig(file: string): RawConfig {
  readConfig(file);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RawConfig;
}

export function writeRawConfig(file: string, config: RawConfig): void {
  // Never writes what cloudhsm-cli could not read back.
  checkConfig(config, file);
  writeFileAtomic(file, JSON.stringify(config, null, 2) + '\n', 0o644);
}

/** The entry an edit applies to: the one named, else the only one (configure-cli refuses to guess). */
export function entryIndex(config: RawConfig, file: string, clusterId: string | undefined): number {
  if (clusterId === undefined) {
    if (config.clusters.length > 1) throw new HsmError('ERR_CLUSTER_ID_REQUIRED');
    return 0;
  }
  const index = config.clusters.findIndex((c) => c.cluster_id === clusterId);
  if (index === -1) throw new HsmError('ERR_UNKNOWN_CLUSTER', { cluster: clusterId, file });
  return index;
}

/** `HOST`, `HOST:PORT` or `[IPV6]:PORT` (a bare IPv6 address has no port). */
export function parseAddress(text: string): { hostname: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const hostPort = /^([^:[\]]+):(\d+)$/.exec(text);
  const [hostname, portText] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : hostPort
      ? [hostPort[1]!, hostPort[2]]
      : [text, undefined];
  const port = portText === undefined ? undefined : Number(portText);
  if (hostname === '' || /\s/.test(hostname) || (port !== undefined && (port < 1 || port > 65535)))
    throw new HsmError('ERR_STATE', { detail: `invalid HSM address '${text.slice(0, 100)}'` });
  return { hostname, port };
}

/**
 * `-a`: the entry's server list becomes the addresses given. LocalHSM's HSMs listen on loopback, one port
 * each, so a port is kept where the real tool would write 2223: one address renames every server (the real
 * client finds the other HSMs from one), N addresses for N servers rename them in order, and otherwise the
 * list becomes the addresses, each with its own port, the old port at its position, or 2223.
 */
export function setAddresses(entry: RawEntry, addresses: readonly string[]): void {
  const parsed = addresses.map(parseAddress);
  const old = entry.cluster.servers;
  const servers =
    parsed.length === 1 && old.length > 1
      ? old.map((s) => ({ ...s, hostname: parsed[0]!.hostname, port: parsed[0]!.port ?? s.port }))
      : parsed.map((a, i) => ({
          ...(old[i] ?? { enable: true }),
          hostname: a.hostname,
          port: a.port ?? old[i]?.port ?? DEFAULT_HSM_PORT,
        }));
  entry.cluster.servers = servers as RawServer[];
}

/** A readable file's absolute path (relative to `cwd`), else a clear error naming the option. */
export function existingFile(file: string, option: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  try {
    fs.accessSync(absolute, fs.constants.R_OK);
    if (!fs.statSync(absolute).isFile()) throw new Error('not a file');
  } catch {
    throw new HsmError('ERR_STATE', { detail: `${option}: cannot read ${absolute}` });
  }
  return absolute;
}
