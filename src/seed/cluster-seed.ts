// A seed applied to a cluster: imported into each new HSM's state at creation, or compared with a resumed cluster.
import path from 'node:path';
import { HsmError } from '../errors.js';
import type { ClusterClient } from '../cluster/cluster.js';
import { listUsers } from '../cluster/operations.js';
import { ADMIN_SERVICES, DEFAULT_TOKEN_TIMEOUT_SECONDS } from '../protocol/quorum.js';
import { importSeed } from '../hsm/seed-import.js';
import { readMaskingKey } from '../hsm/keys/masking-file.js';
import { type SeedKeyMaterial, seedKeyMaterial } from '../hsm/seed-keys.js';
import { ensureAuditKey } from '../hsm/audit-key.js';
import { type HsmIdentity, provisionHsm } from '../hsm/provision.js';
import { SqliteStore } from '../hsm/store/sqlite.js';
import type { Seed } from './seed-file.js';

/**
 * Writes one new HSM's state: provisioned, then activated and filled from the seed (see src/hsm/seed-import.ts).
 * Seeded keys are generated once, for the first HSM, and every HSM stores that same material under the
 * cluster masking key (which each HSM's directory holds before its state is made).
 */
export function provisionSeeded(seed: Seed): (dbFile: string, identity: HsmIdentity) => Promise<void> {
  let material: Promise<SeedKeyMaterial[]> | undefined;
  return async (dbFile, identity) => {
    const keys = seed.keys ?? [];
    const keyContext =
      keys.length === 0
        ? undefined
        : {
            masking: readMaskingKey(path.dirname(dbFile)) ?? missingMaskingKey(),
            material: await (material ??= seedKeyMaterial(keys)),
          };
    const store = new SqliteStore(dbFile);
    try {
      provisionHsm(store, identity);
      await importSeed(store, seed, ensureAuditKey(path.dirname(dbFile), store).auditKey, keyContext);
    } finally {
      store.close();
    }
  };
}

function missingMaskingKey(): never {
  throw new HsmError('ERR_KEY_MASKING', { file: 'masking.key' });
}

export interface SeedComparison {
  /** Why the cluster is not the one the seed describes (missing users, other roles): the seed is refused. */
  mismatches: string[];
  /** Differences a rehearsal makes on purpose (keys rotated, users locked or added): reported only. */
  notes: string[];
}

/**
 * Compares a resumed cluster with a seed through `user list` (passwords are not compared: they change
 * in every rotation drill). Every seed user must be there with its role on every HSM that answers.
 */
export async function compareWithSeed(
  client: ClusterClient,
  seed: Seed,
  warn: (line: string) => void,
): Promise<SeedComparison> {
  const rows = new Map((await listUsers(client, warn)).map((r) => [r.username, r]));
  const mismatches: string[] = [];
  const notes: string[] = [];
  const enabled = (list: readonly unknown[]) => (list.length > 0 ? 'enabled' : 'none');
  for (const user of seed.users) {
    const row = rows.get(user.username);
    if (!row) {
      mismatches.push(`user ${user.username} is missing`);
      continue;
    }
    rows.delete(user.username);
    if (row.role !== user.role)
      mismatches.push(`user ${user.username} has the role ${row.role}, not ${user.role}`);
    else if (row['cluster-coverage'] !== 'full')
      mismatches.push(`user ${user.username} is not on every HSM (cluster-coverage inconsistent)`);
    const differs: string[] = [];
    if (row.locked !== String(user.locked)) differs.push(`locked ${row.locked}`);
    if (enabled(row.mfa) !== (user.mfaPublicKey ? 'enabled' : 'none'))
      differs.push(`MFA ${row.mfa[0]?.status ?? 'none'}`);
    if (enabled(row.quorum) !== (user.quorumPublicKey ? 'enabled' : 'none'))
      differs.push(`quorum ${row.quorum[0]?.status ?? 'none'}`);
    if (differs.length) notes.push(`user ${user.username} changed since seeding: ${differs.join(', ')}`);
  }
  // Quorum values and timeouts change in ceremonies on purpose: reported, never refused.
  const [values] = (await client.fanOut('quorum-list-values', {})).flatMap((o) => (o.ok ? [o.value] : []));
  for (const service of ADMIN_SERVICES) {
    const wanted = seed.quorumValues?.[service] ?? 1;
    if (values && values[service] !== undefined && values[service] !== wanted)
      notes.push(`the ${service} quorum value is ${values[service]} (seed: ${wanted})`);
  }
  const [timeouts] = (await client.fanOut('quorum-list-timeouts', {})).flatMap((o) =>
    o.ok ? [o.value] : [],
  );
  for (const kind of ['generated', 'approved'] as const) {
    const wanted = seed.quorumTimeouts?.[kind] ?? DEFAULT_TOKEN_TIMEOUT_SECONDS;
    if (timeouts && timeouts[kind] !== wanted)
      notes.push(`the ${kind} quorum token timeout is ${timeouts[kind]} s (seed: ${wanted} s)`);
  }
  const extra = [...rows.keys()].filter((name) => name !== 'app_user');
  if (extra.length) notes.push(`users not in the seed: ${extra.join(', ')}`);
  return { mismatches, notes };
}
