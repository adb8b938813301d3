// The cluster state directory: where it is, what it holds, and its cluster.json manifest.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HsmError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { dataFiles } from '../hsm/data-files.js';
import { HSM_MODES, HSM_TYPES } from '../protocol/types.js';

export const DEFAULT_STATE_DIR = '.localhsm';

/** --state, else LOCALHSM_STATE, else ./.localhsm (both binaries use the same rule). */
export function resolveStateDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): string {
  return path.resolve(cwd, flag ?? env.LOCALHSM_STATE ?? DEFAULT_STATE_DIR);
}

const ManifestSchema = z.object({
  version: z.literal(1),
  clusterId: z.string().regex(/^cluster-[a-z2-7]{11}$/),
  kdf: z.enum(['strong', 'fast']),
  /** `up --hsm-type`; absent in clusters made before types existed (hsm2m.medium). */
  hsmType: z.enum(HSM_TYPES).optional(),
  /** `up --mode`; absent in clusters made before modes existed (fips). */
  mode: z.enum(HSM_MODES).optional(),
  /** Extra certificate names given at creation (`up --san`), reused for HSMs added later. */
  san: z.array(z.string()).optional(),
  hsms: z.array(
    z.object({
      id: z.string().regex(/^hsm-[a-z2-7]{11}$/),
      host: z.string(),
      port: z.number().int().min(1).max(65535),
    }),
  ),
});
export type ClusterManifest = z.infer<typeof ManifestSchema>;
export type HsmEntry = ClusterManifest['hsms'][number];

/**
 * Files of the state directory that a cluster shares with its clones, by name: `backup create` puts those
 * present into the backup (encrypted with the HSM state) and `backup restore` writes them (0600) into the new
 * cluster, over any the new cluster made. A cluster-wide secret of the key plane (its masking key) belongs
 * here. Never the backup key, the CA key or the dev-clock secret: each cluster has its own. Secrets inside an
 * HSM's database (the clone family key) travel with it and need no entry.
 */
export const CLONE_SHARED_FILES: readonly string[] = [];

/**
 * Files of an HSM's data directory that every HSM of a cluster and of its clones holds identically: the
 * masking key that seals every key object (hsm/keys/masking-file.ts). `backup create` takes them from the
 * backed-up HSM (encrypted with its state) and `backup restore` writes them into every HSM of the new
 * cluster, so restored keys open.
 */
export const HSM_SHARED_FILES: readonly string[] = ['masking.key'];

export const paths = (dir: string) => ({
  manifest: path.join(dir, 'cluster.json'),
  /** Written when LocalHSM creates a cluster here: only such a directory is ever reused or reset. */
  marker: path.join(dir, '.localhsm-state'),
  config: path.join(dir, 'cloudhsm-cli.cfg'),
  ca: path.join(dir, 'customerCA.crt'),
  caKey: path.join(dir, 'customerCA.key'),
  history: path.join(dir, 'cli-history'),
  /** Authenticates and encrypts this cluster's backups (localhsm/backup-key.ts); never inside a backup. */
  backupKey: path.join(dir, 'backup.key'),
  /** Control secret of a --dev-clock cluster (localhsm/dev-clock-secret.ts). */
  devClockSecret: path.join(dir, 'dev-clock.secret'),
  hsm: (id: string) => {
    const hsmDir = path.join(dir, 'hsms', id);
    return { dir: hsmDir, ...dataFiles(hsmDir), log: path.join(hsmDir, 'node.log') };
  },
});

export function hasCluster(dir: string): boolean {
  return fs.existsSync(paths(dir).manifest);
}

export function readManifest(dir: string): ClusterManifest {
  const file = paths(dir).manifest;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HsmError('ERR_NO_CLUSTER', { dir });
    throw new HsmError('ERR_STATE', { detail: `cannot read ${file}: ${(error as Error).message}` });
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new HsmError('ERR_STATE', { detail: `${file} is not a LocalHSM cluster manifest` });
  return parsed.data;
}

export function writeManifest(dir: string, manifest: ClusterManifest): void {
  writeFileAtomic(paths(dir).manifest, JSON.stringify(manifest, null, 2) + '\n');
}
