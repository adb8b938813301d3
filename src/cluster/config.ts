// cloudhsm-cli.cfg: read and write the real configuration format (clusters[].cluster.servers[]).
import fs from 'node:fs';
import path from 'node:path';
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
        cluster: z.object({ hsm_ca_file: z.string().min(1), servers: z.array(ServerSchema).min(1) }),
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
  /** Spec §14.3: a token key must be on at least 2 HSMs to be created, listed or used. */
  keyAvailabilityCheck: boolean;
}

export function buildConfig(
  clusterId: string,
  caFile: string,
  servers: { hostname: string; port: number }[],
): CliConfig {
  return {
    clusters: [
      {
        type: 'hsm2m',
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
  return {
    clusterId: chosen.cluster_id ?? clusterId ?? 'cluster',
    caFile,
    ca,
    servers: chosen.cluster.servers,
    keyAvailabilityCheck: config.disable_key_availability_check !== true,
  };
}
