// Seed import: a brand-new, not yet activated HSM takes its users, keys, lock flags and settings from a
// seed at provisioning time (before the node first serves), checked with the same rules as the wire operations.
import { HsmError } from '../errors.js';
import { INITIAL_ADMIN } from '../protocol/types.js';
import { parseTokenSignPublicKey, toSpkiPem } from '../tokens/token-sign.js';
import {
  ADMIN_SERVICES,
  type AdminService,
  isValidQuorumValue,
  isValidTokenTimeout,
} from '../protocol/quorum.js';
import { type AuditKey, chainEntry } from './audit.js';
import { guardQuorumValue } from './quorum/approvers.js';
import { type TimeoutKind, setQuorumValue, setTokenTimeout } from './quorum/settings.js';
import { MAX_FAILED_LOGINS } from './ops/login.js';
import { KDF_PROFILES, hashPassword } from './password.js';
import { isProvisioned, newUser } from './provision.js';
import { checkPassword, parseLoginRole, parseUsername } from './rules.js';
import { MAX_SETTING_SECONDS, readSetting, validSettingValue, writeSetting } from './settings.js';
import type { Store, UserRecord } from './store/store.js';
import type { Masking } from './keys/masking.js';
import { formatRef } from './keys/record.js';
import { type SeedKeyMaterial, type SeedKeyState, insertSeedKey, seedKeyMaterial } from './seed-keys.js';

export interface SeedUserState {
  username: string;
  role: string;
  password: string;
  /** PEM of the MFA token-sign public key, or null. */
  mfaPublicKey: string | null;
  /** PEM of the quorum token-sign public key, or null. */
  quorumPublicKey: string | null;
  /** Locked as after too many failed logins (an admin's `user change-password` unlocks it). */
  locked: boolean;
}

/** What an HSM accepts as a seed: the users (the initial admin among them) and node settings in seconds. */
export interface SeedState {
  users: readonly SeedUserState[];
  mfaTokenSeconds?: number;
  sessionIdleSeconds?: number;
  /** Quorum value M per admin service (1, or 2 to 8). */
  quorumValues?: Partial<Record<AdminService, number>>;
  /** Quorum token timeouts in seconds. */
  quorumTimeouts?: Partial<Record<TimeoutKind, number>>;
  /** Keys the seed's crypto users own (see src/hsm/seed-keys.ts). */
  keys?: readonly SeedKeyState[];
}

/** What seeded keys need on an HSM: the cluster masking key, and the material made once for every HSM. */
export interface SeedKeyContext {
  masking: Masking;
  /** One entry per seeded key; made here when absent (a one-HSM import). */
  material?: readonly SeedKeyMaterial[];
}

function checkSeconds(
  key: 'mfa_token_seconds' | 'session_idle_seconds',
  value: number | undefined,
  name: string,
): void {
  if (value !== undefined && validSettingValue(key, value) === undefined) {
    throw new HsmError('ERR_STATE', {
      detail: `seed: ${name} must be whole seconds from 1 to ${MAX_SETTING_SECONDS}`,
    });
  }
}

/** The node's checks on one seeded user; returns the record to store (password not yet hashed). */
function checkUser(user: SeedUserState): Omit<UserRecord, 'passwordHash'> {
  const username = parseUsername(user.username);
  const role = parseLoginRole(user.role);
  checkPassword(user.password);
  if (username === INITIAL_ADMIN && role !== 'admin')
    throw new HsmError('ERR_ROLE_MISMATCH', { username, role });
  const key = (pem: string | null) => (pem === null ? null : toSpkiPem(parseTokenSignPublicKey(pem)));
  return {
    ...newUser(username, role),
    mfaPublicKey: key(user.mfaPublicKey),
    quorumPublicKey: key(user.quorumPublicKey),
    failedLogins: user.locked ? MAX_FAILED_LOGINS : 0,
    locked: user.locked,
  };
}

/**
 * Activates a freshly provisioned HSM with the seed's `admin` password and adds the seed's users, all
 * in one transaction with one audit entry per user. Refused on an HSM that is activated or holds
 * any user beyond the built-in two: a seed never changes a cluster that is in use.
 */
export async function importSeed(
  store: Store,
  seed: SeedState,
  auditKey?: AuditKey,
  keyContext?: SeedKeyContext,
): Promise<void> {
  if (!isProvisioned(store)) throw new Error('seed import: the HSM state is not provisioned');
  const keys = seed.keys ?? [];
  if (keys.length > 0 && !keyContext) throw new HsmError('ERR_KEY_MASKING', { file: 'masking.key' });
  const material = keys.length > 0 ? (keyContext!.material ?? (await seedKeyMaterial(keys))) : [];
  if (material.length !== keys.length)
    throw new HsmError('ERR_STATE', { detail: 'seed: the key material does not match the keys' });
  const kdf = readSetting(store, 'kdf');
  checkSeconds('mfa_token_seconds', seed.mfaTokenSeconds, 'the MFA token lifetime');
  checkSeconds('session_idle_seconds', seed.sessionIdleSeconds, 'the session idle timeout');
  for (const value of Object.values(seed.quorumValues ?? {})) {
    if (!isValidQuorumValue(value)) throw new HsmError('ERR_QUORUM_VALUE', { value: String(value) });
  }
  for (const value of Object.values(seed.quorumTimeouts ?? {})) {
    if (!isValidTokenTimeout(value)) throw new HsmError('ERR_QUORUM_TIMEOUT', { value: String(value) });
  }
  const records = seed.users.map(checkUser);
  const names = new Set(records.map((r) => r.username));
  if (names.size !== records.length)
    throw new HsmError('ERR_STATE', { detail: 'seed: a user is listed twice' });
  if (!names.has(INITIAL_ADMIN))
    throw new HsmError('ERR_STATE', { detail: `seed: the initial admin '${INITIAL_ADMIN}' is missing` });
  const limit = readSetting(store, 'max_users');
  if (records.length + 1 > limit) throw new HsmError('ERR_TOO_MANY_USERS', { limit });
  // Hashed outside the transaction (scrypt is asynchronous); each HSM salts its own hashes.
  const hashes = await Promise.all(seed.users.map((u) => hashPassword(u.password, KDF_PROFILES[kdf])));
  const time = new Date().toISOString();
  store.transaction(() => {
    const admin = store.getUser(INITIAL_ADMIN);
    if (admin?.role !== 'unactivated-admin' || store.countUsers() !== 2 || store.countKeys() !== 0) {
      throw new HsmError('ERR_STATE', {
        detail: 'a seed is only imported into a new cluster that is not activated',
      });
    }
    records.forEach((record, i) => {
      const user: UserRecord = { ...record, passwordHash: hashes[i]! };
      if (user.username === INITIAL_ADMIN) store.updateUser(user);
      else store.insertUser(user);
      const fields = { time, actor: '-', operation: 'seed-import', target: user.username, result: 'ok' };
      store.appendAudit(chainEntry(store.lastAudit(), fields, auditKey));
    });
    if (seed.mfaTokenSeconds !== undefined) writeSetting(store, 'mfa_token_seconds', seed.mfaTokenSeconds);
    if (seed.sessionIdleSeconds !== undefined)
      writeSetting(store, 'session_idle_seconds', seed.sessionIdleSeconds);
    // After the users: a value M needs M approvers among them, as set-quorum-value checks (no override here).
    for (const service of ADMIN_SERVICES) {
      const value = seed.quorumValues?.[service];
      if (value === undefined) continue;
      // A seed is validated as a whole and never sets a value its approvers cannot reach (seed-file.ts).
      guardQuorumValue(store, service, value, false, true);
      setQuorumValue(store, service, value);
    }
    for (const [kind, seconds] of Object.entries(seed.quorumTimeouts ?? {}) as [TimeoutKind, number][]) {
      setTokenTimeout(store, kind, seconds);
    }
    // After the users (owners and shared users must exist). A fresh HSM allocates references from the start,
    // so every HSM of the new cluster gives each seeded key the same reference.
    keys.forEach((key, i) => {
      for (const record of insertSeedKey(store, keyContext!.masking, key, material[i]!)) {
        const fields = {
          time,
          actor: '-',
          operation: 'seed-import',
          target: formatRef(record.ref),
          result: 'ok',
        };
        store.appendAudit(chainEntry(store.lastAudit(), fields, auditKey));
      }
    });
  });
}
