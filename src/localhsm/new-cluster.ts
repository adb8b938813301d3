// Creating a cluster with its seed and dev clock (localhsm up, the library's startCluster), and checking a seed
// against a resumed one. A failed creation leaves no state behind.
import fs from 'node:fs';
import path from 'node:path';
import { CliSession } from '../cli/context.js';
import { type ClusterManifest, paths, readManifest } from '../cluster/state-dir.js';
import { type SeedComparison, compareWithSeed, provisionSeeded } from '../seed/cluster-seed.js';
import type { Seed } from '../seed/seed-file.js';
import { type CreateOptions, createCluster, ensurePrivateDir, provisionFresh } from './cluster-manager.js';
import { assertUsableForNewCluster } from './owned-files.js';
import { ensureDevClockSecret } from './dev-clock-secret.js';

export interface NewClusterOptions extends CreateOptions {
  /** Validated seed: every HSM is activated and filled from it before it first starts. */
  seed?: Seed;
  /** The HSMs' clock can be moved (localhsm time advance / reset). */
  devClock?: boolean;
}

export async function createNewCluster(
  dir: string,
  options: NewClusterOptions,
  warn: (line: string) => void,
): Promise<ClusterManifest> {
  // Before anything is created or chmod-ed: a directory with someone else's files is never adopted.
  assertUsableForNewCluster(dir);
  const existed = fs.existsSync(dir);
  const settings = { ...options.settings, ...(options.devClock ? { dev_clock: true } : {}) };
  ensurePrivateDir(dir, warn);
  // The seeded passwords are hashed once per HSM: with the strong KDF that is the longest step of `up`.
  const users = options.seed?.users.length ?? 0;
  if (users > 0)
    options.progress?.(
      `Hashing ${users} seeded password(s) on each of ${options.hsms} HSM(s) (${options.kdf} KDF)`,
    );
  try {
    const manifest = await createCluster(
      dir,
      { ...options, settings },
      options.seed ? provisionSeeded(options.seed) : provisionFresh,
    );
    if (options.devClock) ensureDevClockSecret(dir);
    return manifest;
  } catch (error) {
    discardPartialCluster(dir, existed);
    throw error;
  }
}

/** Removes what a failed creation wrote: the whole directory if it was new, else only the cluster's files. */
function discardPartialCluster(dir: string, existed: boolean): void {
  if (!existed) {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  const files = paths(dir);
  for (const file of [
    files.manifest,
    files.config,
    files.ca,
    files.caKey,
    files.backupKey,
    files.devClockSecret,
  ])
    fs.rmSync(file, { force: true });
  fs.rmSync(path.join(dir, 'hsms'), { recursive: true, force: true });
}

/** Compares a running resumed cluster with a seed (see compareWithSeed). */
export async function compareClusterWithSeed(
  dir: string,
  seed: Seed,
  warn: (line: string) => void,
): Promise<SeedComparison> {
  const session = new CliSession(paths(dir).config);
  try {
    return await compareWithSeed(session.cluster(readManifest(dir).clusterId), seed, warn);
  } finally {
    session.close();
  }
}
