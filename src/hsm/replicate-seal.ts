// The clone family's seal on a replicated user: only an HSM holding the same clone_family_key (a cluster and
// its clones) can make one, and only the destination it names, for the challenge it issued, can open it.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import { LOGIN_ROLES, type LoginRole } from '../protocol/types.js';
import { type SettingsStore, readSetting } from './settings.js';
import type { UserRecord } from './store/store.js';

/** What user replicate copies: the login secrets and the state `user list` shows (not failed-login counts). */
export interface ReplicatedUser {
  username: string;
  role: LoginRole;
  passwordHash: string | null;
  locked: boolean;
  mfaPublicKey: string | null;
  quorumPublicKey: string | null;
}

/** What a seal is bound to: a replay on another cluster, session, user or role does not open. */
export interface SealBinding {
  destinationClusterId: string;
  /** The destination HSM's replicate challenge (base64), single-use and bound to its admin's session. */
  challenge: string;
  username: string;
  role: LoginRole;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Separate keys per use, so the family key itself never encrypts or authenticates anything directly. */
export function derive(familyKey: Buffer, label: string): Buffer {
  return Buffer.from(
    crypto.hkdfSync('sha256', familyKey, Buffer.alloc(0), `localhsm clone family v1 ${label}`, 32),
  );
}

export function replicatedUser(user: UserRecord, role: LoginRole): ReplicatedUser {
  return {
    username: user.username,
    role,
    passwordHash: user.passwordHash,
    locked: user.locked,
    mfaPublicKey: user.mfaPublicKey,
    quorumPublicKey: user.quorumPublicKey,
  };
}

const canonical = (user: ReplicatedUser): string =>
  JSON.stringify([
    user.username,
    user.role,
    user.passwordHash,
    user.locked,
    user.mfaPublicKey,
    user.quorumPublicKey,
  ]);

/**
 * A keyed digest of what must agree across the source's HSMs (spec §3.9: role, lock, MFA and quorum keys),
 * so the client can compare HSMs without seeing the keys. Not the password hash: each HSM salts its own.
 */
export function userDigest(familyKey: Buffer, user: ReplicatedUser): string {
  return crypto
    .createHmac('sha256', derive(familyKey, 'user digest'))
    .update(canonical({ ...user, passwordHash: null }))
    .digest('hex');
}

const aad = (b: SealBinding) =>
  Buffer.from(JSON.stringify(['user-replicate', b.destinationClusterId, b.challenge, b.username, b.role]));

/**
 * AES-256-GCM under the family key derived for `purpose`, bound to `aad`: base64 of IV, ciphertext and tag. The
 * client carries it and can neither read nor change it.
 */
export function familySeal(familyKey: Buffer, purpose: string, aad: Buffer, text: string): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', derive(familyKey, purpose), iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([iv, body]).toString('base64');
}

/** The text inside a familySeal made for exactly this purpose and AAD; undefined for anything else. */
export function familyOpen(
  familyKey: Buffer,
  purpose: string,
  aad: Buffer,
  sealed: string,
): string | undefined {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  const decipher = crypto.createDecipheriv(
    'aes-256-gcm',
    derive(familyKey, purpose),
    bytes.subarray(0, IV_BYTES),
  );
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}

export function sealUser(familyKey: Buffer, user: ReplicatedUser, binding: SealBinding): string {
  return familySeal(familyKey, 'user seal', aad(binding), canonical(user));
}

/** The user inside a seal made by this clone family for exactly `binding`; undefined for anything else. */
export function openUser(
  familyKey: Buffer,
  sealed: string,
  binding: SealBinding,
): ReplicatedUser | undefined {
  const text = familyOpen(familyKey, 'user seal', aad(binding), sealed);
  if (text === undefined) return undefined;
  const [username, role, passwordHash, locked, mfaPublicKey, quorumPublicKey] = JSON.parse(text) as unknown[];
  const nullableText = (v: unknown) => v === null || typeof v === 'string';
  if (
    typeof username !== 'string' ||
    !(LOGIN_ROLES as readonly unknown[]).includes(role) ||
    !nullableText(passwordHash) ||
    typeof locked !== 'boolean' ||
    !nullableText(mfaPublicKey) ||
    !nullableText(quorumPublicKey)
  )
    return undefined;
  return {
    username,
    role: role as LoginRole,
    passwordHash: passwordHash as string | null,
    locked,
    mfaPublicKey: mfaPublicKey as string | null,
    quorumPublicKey: quorumPublicKey as string | null,
  };
}

/** This HSM's clone family key; a cluster made before clone families has none and cannot replicate. */
export function cloneFamilyKey(store: SettingsStore): Buffer {
  const hex = readSetting(store, 'clone_family_key');
  if (hex === '') throw new HsmError('ERR_NO_CLONE_FAMILY');
  return Buffer.from(hex, 'hex');
}

/** A new clone family's key (a new cluster; its clones inherit it with the rest of the state). */
export const newCloneFamilyKey = (): string => crypto.randomBytes(32).toString('hex');
