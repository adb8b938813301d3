// Node settings: the one table of the key/value rows an HSM keeps beside its users, and the typed functions
// that read and write them.
//
// Each entry says what a setting holds (its stored text form and a zod schema of the value), its default
// (none: written at provisioning and required), and where it can be set. Every read and write of a setting
// goes through this module: `Store.getSetting`/`setSetting` accept only a `SettingKey`, and the rest of the
// code calls readSetting/writeSetting, which validate. A stored value that does not validate is a clear error
// (the node refuses to start: `checkSettings` runs in its constructor), never NaN or a silent default.
//
// Adding a setting is one entry in SETTINGS below (use `integer`, `flag`, `text` or `oneOf` for its type):
// readSetting/writeSetting, the closed SettingKey type and the node's start-up check follow from it. Then
// list its default and a few bad values in test/hsm/settings.test.ts (the test fails until you do) and add
// its row to the table in docs/decisions.md (issue 12, "Node settings").
import { z } from 'zod';
import {
  DEFAULT_HSM_MODE,
  DEFAULT_HSM_TYPE,
  HSM_MODES,
  HSM_TYPES,
  type HsmMode,
  type HsmType,
  MAX_USERS,
} from '../protocol/types.js';
import {
  ADMIN_SERVICES,
  type AdminService,
  DEFAULT_TOKEN_TIMEOUT_SECONDS,
  MAX_QUORUM_TOKENS,
  MAX_QUORUM_VALUE,
  MAX_TOKEN_TIMEOUT_SECONDS,
  MIN_TOKEN_TIMEOUT_SECONDS,
} from '../protocol/quorum.js';
import { MAX_DEV_CLOCK_OFFSET_MS, type OperationName } from '../protocol/operations.js';
import {
  MAX_TRUST_ANCHORS,
  MTLS_ENFORCEMENT_LEVELS,
  type MtlsEnforcementLevel,
  type TrustAnchor,
  TrustAnchorSchema,
} from '../protocol/mtls.js';
import { KDF_PROFILES, type KdfProfile } from './password.js';

/** Upper bound of the seconds settings a seed or `up` may set (115 days: what `up --mfa-token-seconds` accepts). */
export const MAX_SETTING_SECONDS = 9_999_999;
/** A login session idle for longer than this is logged out by the node (CloudHSM-like default). */
export const DEFAULT_SESSION_IDLE_SECONDS = 30 * 60;
/** CloudHSM's default quorum token timeouts are 600 s; MFA tokens use the same default. */
export const DEFAULT_MFA_TOKEN_SECONDS = 600;

/** Where a setting's value comes from, besides its default. */
export interface SetBy {
  /** Written once when the HSM is created (or cloned: the identity settings). */
  provisioning?: true;
  /** A `localhsm up` option of a new cluster. */
  upOption?: `--${string}`;
  /** A field of a seed file (src/seed/seed-file.ts). */
  seedField?: string;
  /** A wire operation that changes it (the cloudhsm-cli or localhsm command calls it). */
  operation?: OperationName;
  /** Written by the store itself, never by name elsewhere. */
  store?: true;
  /** Only tests write it (e.g. to reach a limit cheaply). */
  testsOnly?: true;
}

/** How one setting is stored (text in a settings row) and what value it holds. */
export interface SettingSpec<T> {
  /** The value's schema: what readSetting returns and writeSetting accepts. */
  readonly schema: z.ZodType<T>;
  /** What a valid value is, for error messages ("a whole number from 1 to 8"). */
  readonly expected: string;
  /** The stored text as a candidate value (the schema then validates it). */
  readonly decode: (text: string) => unknown;
  readonly encode: (value: T) => string;
  /** Used when the row is absent; undefined means the setting is required (written at provisioning). */
  readonly default: T | undefined;
  readonly setBy: SetBy;
  /** One line for the reference table. */
  readonly about: string;
}

function integer(min: number, max: number, defaultValue: number | undefined, setBy: SetBy, about: string) {
  return {
    schema: z.number().int().min(min).max(max),
    expected: `a whole number from ${min} to ${max}`,
    // Only the canonical text encode writes: '045' or '1e3' is damage, not 45 or 1000.
    decode: (text: string) => (/^(0|-?[1-9]\d{0,15})$/.test(text) ? Number(text) : text),
    encode: (value: number) => String(value),
    default: defaultValue,
    setBy,
    about,
  } satisfies SettingSpec<number>;
}

function flag(defaultValue: boolean, setBy: SetBy, about: string) {
  return {
    schema: z.boolean(),
    expected: "'on' or 'off'",
    decode: (text: string) => (text === 'on' ? true : text === 'off' ? false : text),
    encode: (value: boolean) => (value ? 'on' : 'off'),
    default: defaultValue,
    setBy,
    about,
  } satisfies SettingSpec<boolean>;
}

/** Free text of 1 to `max` characters (identities; required). */
function text(max: number, setBy: SetBy, about: string) {
  return {
    schema: z.string().min(1).max(max),
    expected: `text of 1 to ${max} characters`,
    decode: (value: string) => value,
    encode: (value: string) => value,
    default: undefined,
    setBy,
    about,
  } satisfies SettingSpec<string>;
}

function oneOf<const V extends readonly [string, ...string[]]>(values: V, setBy: SetBy, about: string) {
  return {
    schema: z.enum(values) as unknown as z.ZodType<V[number]>,
    expected: `one of ${values.join(', ')}`,
    decode: (value: string) => value,
    encode: (value: V[number]) => value,
    default: undefined,
    setBy,
    about,
  } satisfies SettingSpec<V[number]>;
}

const KDF_NAMES = Object.keys(KDF_PROFILES) as [KdfProfile, ...KdfProfile[]];

const quorumValue = (service: AdminService) =>
  integer(
    1,
    MAX_QUORUM_VALUE,
    1,
    { seedField: `quorumValues.${service}`, operation: 'quorum-set-value' },
    `Quorum value M of the ${service} service (1: no quorum)`,
  );
const quorumValues = Object.fromEntries(
  ADMIN_SERVICES.map((service) => [quorumValueKey(service), quorumValue(service)]),
) as Record<`quorum_value_${AdminService}`, ReturnType<typeof quorumValue>>;

/** The settings row name of a service's quorum value. */
export function quorumValueKey(service: AdminService): `quorum_value_${AdminService}` {
  return `quorum_value_${service}`;
}

/** Every node setting. The keys are the settings rows' names: never rename one (existing states hold them). */
export const SETTINGS = {
  hsm_id: text(64, { provisioning: true }, 'This HSM’s id (hsm-…), new for a clone'),
  cluster_id: text(64, { provisioning: true }, 'The cluster’s id (cluster-…)'),
  serial_number: text(64, { provisioning: true }, 'Serial number shown by hsm-info'),
  kdf: oneOf(KDF_NAMES, { provisioning: true, upOption: '--kdf' }, 'Password-hash profile (never changes)'),
  // Not required: a state provisioned before HSM types existed is an hsm2m.medium, LocalHSM's only type then.
  hsm_type: {
    ...oneOf(HSM_TYPES, { provisioning: true, upOption: '--hsm-type' }, ''),
    default: DEFAULT_HSM_TYPE,
    about: 'HSM type (hsm1.medium or hsm2m.medium): the cluster quorum service and the user limit follow it',
  } satisfies SettingSpec<HsmType>,
  // Not required: a state provisioned before modes existed reads as FIPS, AWS's default for a new cluster.
  hsm_mode: {
    ...oneOf(HSM_MODES, { provisioning: true, upOption: '--mode' }, ''),
    default: DEFAULT_HSM_MODE,
    about: 'Cluster mode (fips or non-fips; hsm1.medium is always fips): Ed25519 needs hsm2m.medium non-fips',
  } satisfies SettingSpec<HsmMode>,
  max_users: integer(
    1,
    MAX_USERS,
    MAX_USERS,
    { provisioning: true, testsOnly: true },
    'Most users the HSM holds (the built-in two included)',
  ),
  session_idle_seconds: integer(
    1,
    MAX_SETTING_SECONDS,
    DEFAULT_SESSION_IDLE_SECONDS,
    { seedField: 'timeouts.sessionIdle' },
    'A login session idle for longer is logged out (read once at node start)',
  ),
  mfa_token_seconds: integer(
    1,
    MAX_SETTING_SECONDS,
    DEFAULT_MFA_TOKEN_SECONDS,
    { upOption: '--mfa-token-seconds', seedField: 'timeouts.mfaToken' },
    'Lifetime of MFA tokens (login and change-mfa)',
  ),
  ...quorumValues,
  quorum_timeout_generated: integer(
    MIN_TOKEN_TIMEOUT_SECONDS,
    MAX_TOKEN_TIMEOUT_SECONDS,
    DEFAULT_TOKEN_TIMEOUT_SECONDS,
    { seedField: 'timeouts.quorumGenerated', operation: 'quorum-set-timeout' },
    'Time to collect approvals for a quorum token after generate',
  ),
  quorum_timeout_approved: integer(
    MIN_TOKEN_TIMEOUT_SECONDS,
    MAX_TOKEN_TIMEOUT_SECONDS,
    DEFAULT_TOKEN_TIMEOUT_SECONDS,
    { seedField: 'timeouts.quorumApproved', operation: 'quorum-set-timeout' },
    'Time to use an approved quorum token',
  ),
  quorum_self_approval: flag(
    true,
    { operation: 'quorum-set-policy' },
    'The requester’s own signature counts as one approval (CloudHSM’s behaviour)',
  ),
  quorum_lockout_guard: flag(
    false,
    { operation: 'quorum-set-policy' },
    'Opt-in: failed logins slow down, instead of locking, an approver a service’s quorum needs',
  ),
  quorum_guard: flag(
    false,
    { operation: 'quorum-set-policy' },
    'Opt-in: refuse (instead of warn about) a quorum value or approver removal that leaves a service without enough approvers',
  ),
  quorum_max_tokens: integer(
    1,
    MAX_QUORUM_TOKENS,
    MAX_QUORUM_TOKENS,
    { testsOnly: true },
    'Most quorum tokens the HSM holds (lowered by tests only)',
  ),
  dev_clock: flag(
    false,
    { provisioning: true, upOption: '--dev-clock' },
    'The HSM’s clock may be moved (localhsm time advance / reset)',
  ),
  dev_clock_offset_ms: integer(
    0,
    MAX_DEV_CLOCK_OFFSET_MS,
    0,
    { operation: 'dev-clock-set' },
    'How far a dev clock is moved, kept across restarts',
  ),
  first_frame_timeout_seconds: integer(
    1,
    3600,
    10,
    { provisioning: true },
    'From TCP accept to the TLS handshake done and the first complete frame; then the connection is closed',
  ),
  frame_body_timeout_seconds: integer(
    1,
    3600,
    10,
    { provisioning: true },
    'From the first byte of a frame to its last; then the connection is closed',
  ),
  unauthenticated_idle_seconds: integer(
    1,
    86_400,
    60,
    { provisioning: true },
    'A connection without a login is closed after this long without a request',
  ),
  max_connections: integer(
    1,
    65_536,
    256,
    { provisioning: true },
    'Concurrent connections; more are refused at once',
  ),
  max_unsent_reply_bytes: integer(
    65_536,
    1024 * 1024 * 1024,
    1024 * 1024,
    { provisioning: true },
    'The node stops reading a connection while more reply bytes than this wait to be sent on it',
  ),
  dev_clock_secret_sha256: {
    schema: z.string().regex(/^([0-9a-f]{64})?$/),
    expected: 'empty or 64 hex digits',
    decode: (value: string) => value,
    encode: (value: string) => value,
    default: '',
    setBy: { provisioning: true },
    about: 'SHA-256 of the cluster’s control secret, which dev-clock-set must present (localhsm time)',
  } satisfies SettingSpec<string>,
  clone_family_key: {
    schema: z.string().regex(/^([0-9a-f]{64})?$/),
    expected: 'empty or 64 hex digits',
    decode: (value: string) => value,
    encode: (value: string) => value,
    default: '',
    setBy: { provisioning: true },
    about:
      'Secret a cluster shares with its clones (made with the cluster, carried by every copy of the state): seals users for user replicate',
  } satisfies SettingSpec<string>,
  mtls_enforcement: {
    schema: z.enum(MTLS_ENFORCEMENT_LEVELS),
    expected: `one of ${MTLS_ENFORCEMENT_LEVELS.join(', ')}`,
    decode: (value: string) => value,
    encode: (value: MtlsEnforcementLevel) => value,
    default: 'none',
    setBy: { operation: 'mtls-set-enforcement' },
    about:
      'cluster: the node completes a TLS handshake only with a client certificate chaining to a trust anchor',
  } satisfies SettingSpec<MtlsEnforcementLevel>,
  mtls_trust_anchors: {
    schema: z.array(TrustAnchorSchema).max(MAX_TRUST_ANCHORS),
    expected: `a JSON array of at most ${MAX_TRUST_ANCHORS} trust anchors`,
    decode: (value: string) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    },
    encode: (value: TrustAnchor[]) => JSON.stringify(value),
    default: [],
    setBy: {
      operation: 'mtls-register-trust-anchor',
    },
    about: 'Registered trust anchors (certificate reference and PEM), for client certificates',
  } satisfies SettingSpec<TrustAnchor[]>,
  audit_head: {
    schema: z.string(),
    expected: 'text',
    decode: (value: string) => value,
    encode: (value: string) => value,
    default: '',
    setBy: { store: true },
    about: 'Hash of the last audit entry (written with each entry)',
  } satisfies SettingSpec<string>,
} as const;

export type SettingKey = keyof typeof SETTINGS;

/** The part of an HSM's Store that holds its settings rows (the Store interface has it). */
export interface SettingsStore {
  getSetting(key: SettingKey): string | undefined;
  setSetting(key: SettingKey, value: string): void;
}
export type SettingValue<K extends SettingKey> =
  (typeof SETTINGS)[K] extends SettingSpec<infer T> ? T : never;
/** Values of some settings, e.g. those a new cluster's HSMs are created with. */
export type SettingValues = { readonly [K in SettingKey]?: SettingValue<K> };

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

const spec = <K extends SettingKey>(key: K) => SETTINGS[key] as unknown as SettingSpec<SettingValue<K>>;

/** A setting whose stored value is missing (and required) or does not validate. */
export class SettingError extends Error {
  constructor(
    readonly key: SettingKey,
    detail: string,
  ) {
    super(`HSM state: the setting ${key} ${detail}`);
    this.name = 'SettingError';
  }
}

const show = (value: string) => `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;

/** A value of `key` checked against its schema (undefined when it is not valid). */
export function validSettingValue<K extends SettingKey>(key: K, value: unknown): SettingValue<K> | undefined {
  const parsed = spec(key).schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The stored text of a setting as its value, validated (undefined when it is not valid). */
export function parseSettingText<K extends SettingKey>(key: K, text: string): SettingValue<K> | undefined {
  return validSettingValue(key, spec(key).decode(text));
}

/** The setting's value: stored, else its default; a missing required or invalid stored value throws SettingError. */
export function readSetting<K extends SettingKey>(store: SettingsStore, key: K): SettingValue<K> {
  const s = spec(key);
  const stored = store.getSetting(key);
  if (stored === undefined) {
    if (s.default === undefined) throw new SettingError(key, 'is missing (not provisioned?)');
    return s.default;
  }
  const value = parseSettingText(key, stored);
  if (value === undefined) throw new SettingError(key, `holds ${show(stored)}, not ${s.expected}`);
  return value;
}

/** Whether the setting has a stored row (a provisioned HSM has its identity). */
export function isSettingStored(store: SettingsStore, key: SettingKey): boolean {
  return store.getSetting(key) !== undefined;
}

/** Stores a setting's value; a value outside its schema is a programming error (callers check input first). */
export function writeSetting<K extends SettingKey>(
  store: SettingsStore,
  key: K,
  value: SettingValue<K>,
): void {
  const s = spec(key);
  if (validSettingValue(key, value) === undefined)
    throw new SettingError(key, `cannot be set to ${show(String(value))}: expected ${s.expected}`);
  store.setSetting(key, s.encode(value));
}

export function writeSettings(store: SettingsStore, values: SettingValues): void {
  for (const key of SETTING_KEYS) {
    const value = values[key];
    if (value !== undefined) writeSetting(store, key, value as SettingValue<typeof key>);
  }
}

/** Reads every setting once: throws SettingError for the first that is missing (and required) or invalid. */
export function checkSettings(store: SettingsStore): void {
  for (const key of SETTING_KEYS) readSetting(store, key);
}

/** Whether every setting reads (see checkSettings). */
export function settingsAreValid(store: SettingsStore): boolean {
  try {
    checkSettings(store);
    return true;
  } catch (error) {
    if (error instanceof SettingError) return false;
    throw error;
  }
}
