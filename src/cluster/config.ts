// cloudhsm-cli.cfg: read and write the real configuration format (clusters[].cluster.servers[]).
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { z } from 'zod';
import { HsmError } from '../errors.js';

const ServerSchema = z.object({
  hostname: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  enable: z.boolean().default(true),
});

const ConfigSchema = z.object({
  clusters: z
    .array(
      z.object({
        type: z.string().optional(),
        cluster_id: z.string().optional(),
        cluster: z.object({
          hsm_ca_file: z.string().min(1),
          servers: z.array(ServerSchema).min(1),
          // cluster mtls: the client certificate and key presented to every HSM (configure-cli writes them)
          client_cert_hsm_tls_file: z.string().min(1).optional(),
          client_key_hsm_tls_file: z.string().min(1).optional(),
        }),
      }),
    )
    .min(1),
  logging: z.record(z.string(), z.unknown()).optional(),
  /** `configure-cli --disable-key-availability-check` writes true; absent or false: the check is on. */
  disable_key_availability_check: z.boolean().optional(),
});

export type CliConfig = z.infer<typeof ConfigSchema>;

/** One cluster of a config, with its CA loaded. */
export interface ClusterEntry {
  clusterId: string;
  caFile: string;
  ca: string;
  servers: { hostname: string; port: number; enable: boolean }[];
  /** The client certificate (PEM, with any intermediates) and key for cluster mtls, when configured. */
  client?: { cert: string; key: string };
  /** Spec §14.3: a token key must be on at least 2 HSMs to be created, listed or used. */
  keyAvailabilityCheck: boolean;
}

export function buildConfig(
  clusterId: string,
  caFile: string,
  servers: { hostname: string; port: number }[],
  /** The `type` member: `hsm1` or `hsm2m` (configType in src/protocol/types.ts). */
  type = 'hsm2m',
): CliConfig {
  return {
    clusters: [
      {
        type,
        cluster_id: clusterId,
        cluster: { hsm_ca_file: caFile, servers: servers.map((s) => ({ ...s, enable: true })) },
      },
    ],
    logging: { log_type: 'term', log_file: '', log_level: 'info', log_interval: 'daily' },
  };
}

export function readConfig(file: string): CliConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new HsmError('ERR_CONFIG', { file, detail: (error as NodeJS.ErrnoException).code ?? 'unreadable' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HsmError('ERR_CONFIG', { file, detail: 'not valid JSON' });
  }
  return checkConfig(json, file);
}

/** A parsed config's JSON checked against the shape cloudhsm-cli reads. */
export function checkConfig(json: unknown, file: string): CliConfig {
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HsmError('ERR_CONFIG', {
      file,
      detail: `${issue.path.join('.') || '(top)'}: ${issue.message}`,
    });
  }
  return parsed.data;
}

/** Picks the cluster to talk to: the one named, or the only one. */
export function selectCluster(config: CliConfig, file: string, clusterId: string | undefined): ClusterEntry {
  const { clusters } = config;
  let chosen = clusters[0]!;
  if (clusterId !== undefined) {
    const match = clusters.find((c) => c.cluster_id === clusterId);
    if (!match) {
      if (clusters.length > 1 || clusters[0]!.cluster_id !== undefined) {
        throw new HsmError('ERR_UNKNOWN_CLUSTER', { cluster: clusterId, file });
      }
    } else chosen = match;
  } else if (clusters.length > 1) {
    throw new HsmError('ERR_CLUSTER_ID_REQUIRED');
  }
  const caFile = path.resolve(path.dirname(file), chosen.cluster.hsm_ca_file);
  let ca: string;
  try {
    ca = fs.readFileSync(caFile, 'utf8');
  } catch {
    throw new HsmError('ERR_CONFIG', { file, detail: `cannot read hsm_ca_file ${caFile}` });
  }
  const client = clientCertificate(chosen.cluster, file);
  return {
    clusterId: chosen.cluster_id ?? clusterId ?? 'cluster',
    caFile,
    ca,
    servers: chosen.cluster.servers,
    ...(client ? { client } : {}),
    keyAvailabilityCheck: config.disable_key_availability_check !== true,
  };
}

/**
 * A config rewritten by LocalHSM (hsm add/remove, a port moved) keeps what a person or configure-cli added:
 * members of `previous` that `next` does not set, at the top level and in the entry of the same cluster
 * (e.g. `disable_key_availability_check`, `client_cert_hsm_tls_file`), stay as they were.
 */
export function keepOtherMembers(next: CliConfig, previous: unknown): Record<string, unknown> {
  if (!isObject(previous)) return next;
  const merged: Record<string, unknown> = { ...previous, ...next };
  const before = Array.isArray(previous.clusters) ? previous.clusters.filter(isObject) : [];
  merged.clusters = next.clusters.map((entry) => {
    const old =
      before.find((b) => b.cluster_id === entry.cluster_id) ??
      (before.length === 1 && next.clusters.length === 1 ? before[0] : undefined);
    if (!old) return entry;
    const oldCluster = isObject(old.cluster) ? old.cluster : {};
    return { ...old, ...entry, cluster: { ...oldCluster, ...entry.cluster } };
  });
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One `clusters[]` entry of a config. */
export type ConfigClusterEntry = CliConfig['clusters'][number];

/**
 * Puts `entry` into the config: it replaces the entry with the same `cluster_id` where that one is, else it
 * is appended. Entries of other clusters (a multi-cluster config) are kept as they are.
 */
export function upsertCluster(config: CliConfig, entry: ConfigClusterEntry): CliConfig {
  const at = config.clusters.findIndex(
    (c) => c.cluster_id !== undefined && c.cluster_id === entry.cluster_id,
  );
  const clusters = [...config.clusters];
  if (at === -1) clusters.push(entry);
  else clusters[at] = entry;
  return { ...config, clusters };
}

/** The config of `file` if it is one, else undefined (a missing or damaged file is replaced by its writer). */
export function readConfigIfValid(file: string): CliConfig | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return readConfig(file);
  } catch {
    return undefined;
  }
}

/** The cluster's mtls client certificate and key, read from the files its config names (both or neither). */
function clientCertificate(
  cluster: CliConfig['clusters'][number]['cluster'],
  file: string,
): { cert: string; key: string } | undefined {
  const certFile = cluster.client_cert_hsm_tls_file;
  const keyFile = cluster.client_key_hsm_tls_file;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined)
    throw new HsmError('ERR_CONFIG', {
      file,
      detail: 'client_cert_hsm_tls_file and client_key_hsm_tls_file must be given together',
    });
  const read = (name: string, relative: string) => {
    const resolved = path.resolve(path.dirname(file), relative);
    try {
      return fs.readFileSync(resolved, 'utf8');
    } catch {
      throw new HsmError('ERR_CONFIG', { file, detail: `cannot read ${name} ${resolved}` });
    }
  };
  const client = {
    cert: read('client_cert_hsm_tls_file', certFile),
    key: read('client_key_hsm_tls_file', keyFile),
  };
  try {
    tls.createSecureContext(client);
  } catch {
    throw new HsmError('ERR_CONFIG', {
      file,
      detail:
        'client_cert_hsm_tls_file and client_key_hsm_tls_file must be a PEM certificate and its unencrypted PEM private key',
    });
  }
  return client;
}
