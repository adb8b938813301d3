// The wire operations, one descriptor each: schemas, who may call it, whether it writes (is audited), its
// display name. The node's dispatch, the client's typed calls and docs/protocol.md are derived from it.
import { z } from 'zod';
import { MAX_ANCHOR_PEM_CHARS, MTLS_ENFORCEMENT_LEVELS, TrustAnchorSchema } from './mtls.js';
import { ApprovalSchema, RegistrationEntrySchema, TokenViewSchema } from './quorum.js';
import { LOGIN_ROLES, UserViewSchema } from './types.js';
import {
  AttributeWordsSchema,
  CreatedKeysSchema,
  FilterSchema,
  KeyCopySchema,
  KeyRefSchema,
  KeyViewSchema,
} from './keys.js';
import { UNWRAP_KEY_TYPE_CLASSES, WRAP_MECHANISMS, WrapParamsShape } from './key-wrap.js';

// Loose string bounds on the wire: the node applies the real rules and reports them with clear codes.
const name = z.string().max(256);
const secret = z.string().max(256);
const role = z.string().max(64);

const Empty = z.object({}).strict();
const UserRef = z.object({ username: name, role }).strict();
/** `alreadyInEffect`: this HSM was already in the requested state (a re-run that repairs a partial change). */
const UserChange = z.object({
  username: z.string(),
  role: z.enum(LOGIN_ROLES),
  alreadyInEffect: z.boolean().optional(),
  /** A quorum guard's warning (the change was made), for the client to print on stderr. */
  warning: z.string().optional(),
});

export const HsmInfoSchema = z.object({
  hsmId: z.string(),
  clusterId: z.string(),
  serialNumber: z.string(),
  activated: z.boolean(),
  userCount: z.number().int(),
  firmwareVersion: z.string(),
});

/** An MFA token: base64 of 32 random bytes. */
const MfaToken = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected base64 of 32 bytes');
const signature = z.string().max(4096);
const publicKeyPem = z.string().max(16384);
const MfaTokenIssued = z.object({ token: MfaToken });
/** `committed: false` = verified and held; `committed: true` = applied (logged in / key registered). */
const MfaFinished = z.object({ username: z.string(), role: z.enum(LOGIN_ROLES), committed: z.boolean() });

/** Largest dev clock offset (100 years): any rehearsal fits, and the time stays a safe integer. */
export const MAX_DEV_CLOCK_OFFSET_MS = 100 * 365 * 86_400_000;
/** `now`: the HSM's time (ms since the epoch), the system time plus `offsetMs`. */
const DevClockState = z.object({ offsetMs: z.number().int(), now: z.number().int() });

/**
 * Who may call an operation, checked by the node before the handler runs (the handler checks any
 * finer rule). 'logged-out': only a session that is not logged in (the login steps);
 * 'self-or-admin': the `username`/`role` arguments name the caller, or the caller is an admin.
 */
export type Access =
  | { readonly level: 'anyone' | 'logged-out' | 'login' }
  | {
      readonly level: 'admin' | 'self-or-admin' | 'crypto-user';
      /** The action ERR_PERMISSION_DENIED names ("the crypto-user role cannot {action}"). */
      readonly action: string;
    };
export type AccessLevel = Access['level'];

const anyone: Access = { level: 'anyone' };
const loggedOut: Access = { level: 'logged-out' };
const login: Access = { level: 'login' };
const admin = (action: string): Access => ({ level: 'admin', action });
const selfOrAdmin = (action: string): Access => ({ level: 'self-or-admin', action });
const cryptoUser = (action: string): Access => ({ level: 'crypto-user', action });
const smallInt = z.number().int().min(0).max(1_000_000);
/** The crypto-sign/verify mechanisms and hash names on the wire (ed25519 takes none, ml-dsa shake256). */
export const SIGN_WIRE_MECHANISMS = [
  'rsa-pkcs',
  'rsa-pkcs-pss',
  'ecdsa',
  'ed25519',
  'ed25519ph',
  'ml-dsa',
] as const;
export const SIGN_WIRE_HASHES = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'shake256'] as const;
/**
 * Base64 of the most data crypto-sign/verify carry: ML-DSA `raw` data goes to the HSM whole (the client cannot
 * compute mu without the key), so up to 512 KiB within the 1 MiB frame.
 */
export const MAX_SIGN_DATA_CHARS = Math.ceil((512 * 1024) / 3) * 4;

export interface OperationDescriptor<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly args: A;
  readonly result: R;
  readonly access: Access;
  /** What the handler checks beyond `access`, for docs/protocol.md. */
  readonly rule?: string;
  /**
   * Changes something on the HSM (users, settings, sessions, tokens, its clock): every attempt is
   * audited, and the change and its audit entry commit in one transaction. Read-only operations
   * are not audited and get a store that refuses writes.
   */
  readonly writes: boolean;
  /**
   * A read-only operation audited all the same when this says (its handler sets `auditRead`): the case, for
   * docs/protocol.md.
   */
  readonly auditedWhen?: string;
  /** The operation's name in client messages ("User delete failed on 1 of 3 connections"). */
  readonly display: string;
  /** One line for docs/protocol.md. */
  readonly summary: string;
}

export const OPERATIONS = {
  'hsm-info': {
    args: Empty,
    result: HsmInfoSchema,
    access: anyone,
    writes: false,
    display: 'Hsm info',
    summary: "This HSM's identity and user count.",
  },
  'cluster-activate': {
    args: z.object({ password: secret }).strict(),
    result: z.object({}).strict(),
    access: anyone,
    rule: 'only while the initial admin is unactivated (or a re-run with the same password)',
    writes: true,
    display: 'Cluster activation',
    summary: "Sets the initial admin's password; the admin becomes a regular admin.",
  },
  'user-list': {
    args: Empty,
    result: z.object({ users: z.array(UserViewSchema) }),
    access: anyone,
    writes: false,
    display: 'User list',
    summary: 'Every user of this HSM (the client merges HSMs into `user list` rows).',
  },
  login: {
    args: z.object({ username: name, role, password: secret }).strict(),
    result: z.object({ username: z.string(), role: z.enum(LOGIN_ROLES) }),
    access: loggedOut,
    writes: true,
    display: 'Login',
    summary: 'Password login of the session; a user with MFA must use login-mfa-*.',
  },
  logout: {
    args: Empty,
    result: z.object({}),
    access: login,
    writes: true,
    display: 'Logout',
    summary: "Ends the session's login; the connection stays open.",
  },
  'user-create': {
    args: UserRef.extend({ password: secret, approval: ApprovalSchema.optional() }).strict(),
    result: UserChange,
    access: admin('create users'),
    writes: true,
    display: 'User create',
    summary: 'Creates an admin or crypto user (quorum: service `user`).',
  },
  'user-delete': {
    args: UserRef.extend({
      approval: ApprovalSchema.optional(),
      allowUnmanageable: z.boolean().optional(),
    }).strict(),
    result: UserChange,
    access: admin('delete users'),
    writes: true,
    display: 'User delete',
    summary: 'Deletes a user who is not logged in; never the last admin (quorum: service `user`).',
  },
  'user-change-password': {
    args: UserRef.extend({
      password: secret,
      deregisterMfa: z.boolean().optional(),
      deregisterQuorum: z.boolean().optional(),
      approval: ApprovalSchema.optional(),
      allowUnmanageable: z.boolean().optional(),
    }).strict(),
    result: UserChange,
    access: selfOrAdmin("change another user's password"),
    writes: true,
    display: 'User change password',
    summary:
      "Sets a user's password; an admin's change also unlocks (quorum for another user's); a user with MFA loses the quorum key.",
  },
  // user replicate between a cluster and its clone (src/hsm/replicate-seal.ts): the destination issues a
  // challenge, the source seals the user to it under the clone family's key, the destination opens the seal.
  'user-replicate-challenge': {
    args: UserRef,
    result: z.object({ challenge: MfaToken }),
    access: admin('replicate users'),
    rule: 'the user must not exist here; the challenge is single-use, bound to this login, and expires like an MFA token',
    writes: true,
    display: 'User replicate',
    summary: 'Destination, step 1: a challenge the source HSMs seal the user to.',
  },
  'user-replicate-export': {
    args: UserRef.extend({
      destinationClusterId: name,
      challenges: z.array(MfaToken).min(1).max(16),
    }).strict(),
    result: z.object({ user: UserViewSchema, digest: z.string(), sealed: z.array(z.string()) }),
    access: admin('replicate users'),
    rule: 'the user must exist here with the role; a cluster without a clone family refuses',
    writes: true,
    display: 'User replicate',
    summary:
      "Source: the user sealed under the clone family's key once per destination challenge, and a keyed digest to compare HSMs.",
  },
  'user-replicate-import': {
    args: UserRef.extend({ challenge: MfaToken, sealed: z.string().max(65_536) }).strict(),
    result: UserChange,
    access: admin('replicate users'),
    rule: "the seal must open under this HSM's clone family key for this cluster, challenge, user and role",
    writes: true,
    display: 'User replicate',
    summary:
      'Destination, step 2: creates the user (password hash, MFA and quorum keys) from a clone’s seal.',
  },
  'login-mfa-start': {
    args: z.object({ username: name, role, password: secret }).strict(),
    result: MfaTokenIssued,
    access: loggedOut,
    writes: true,
    display: 'Login',
    summary: "The password step of an MFA login: this HSM's token (base64 of 32 bytes) to sign.",
  },
  'login-mfa-finish': {
    args: z.object({ token: MfaToken, signature, commit: z.boolean() }).strict(),
    result: MfaFinished,
    access: loggedOut,
    rule: 'the session that started the login',
    writes: true,
    display: 'Login',
    summary: 'Verifies the signed token (`commit: false`), then logs the session in (`commit: true`).',
  },
  'change-mfa-start': {
    args: UserRef.extend({
      password: secret,
      changeQuorum: z.boolean().optional(),
      approval: ApprovalSchema.optional(),
    }).strict(),
    result: MfaTokenIssued,
    access: selfOrAdmin("change another user's MFA"),
    rule: 'the target is not logged in elsewhere',
    writes: true,
    display: 'User change MFA',
    summary: 'Every check of an MFA key change; a token to sign with the new key.',
  },
  'change-mfa-finish': {
    args: z.object({ token: MfaToken, signature, publicKey: publicKeyPem, commit: z.boolean() }).strict(),
    result: MfaFinished,
    access: login,
    rule: 'the login that started the change',
    writes: true,
    display: 'User change MFA',
    summary: 'Verifies the new key (`commit: false`), then registers it and the password (`commit: true`).',
  },
  'change-mfa-deregister': {
    args: UserRef.extend({
      password: secret,
      changeQuorum: z.boolean().optional(),
      approval: ApprovalSchema.optional(),
      allowUnmanageable: z.boolean().optional(),
    }).strict(),
    result: UserChange,
    access: selfOrAdmin("change another user's MFA"),
    rule: 'the target is not logged in elsewhere',
    writes: true,
    display: 'User change MFA',
    summary: 'Removes the MFA key (and the quorum key registered with it) and sets the password.',
  },
  // quorum (M of N) token-sign
  'quorum-generate': {
    args: z.object({ service: z.string().max(64), keyRef: KeyRefSchema.optional() }).strict(),
    result: z.object({ record: z.string() }),
    access: login,
    rule: 'admin for admin services; for key services a crypto user who owns or shares the key `keyRef`',
    writes: true,
    display: 'Quorum token generate',
    summary:
      "This HSM's 80-byte record (base64) of a new approval token for an admin service or for one key's service.",
  },
  'quorum-register-start': {
    args: Empty,
    result: z.object({ approvalData: z.string(), unsigned: z.string() }),
    access: anyone,
    rule: 'before or after login; after login the token names the caller, who alone may register with it',
    writes: true,
    display: 'Quorum token generate',
    summary:
      "This HSM's 80-byte registration record (base64) and its hash; the client joins every HSM's record into one entry.",
  },
  'quorum-register-finish': {
    args: z
      .object({
        publicKey: z.string().max(16_384),
        tokens: z.array(RegistrationEntrySchema).max(64),
        commit: z.boolean(),
      })
      .strict(),
    result: UserChange,
    access: login,
    rule: "any session of the token's user (any login for a token generated before login)",
    writes: true,
    display: 'User change quorum',
    summary: 'Two phases: every HSM verifies (`commit: false`), then every HSM registers (`commit: true`).',
  },
  'quorum-list': {
    args: Empty,
    result: z.object({ tokens: z.array(TokenViewSchema) }),
    access: login,
    writes: false,
    display: 'Quorum token list',
    summary:
      "The live approval tokens of this HSM (a key's tokens only to admins and the key's owner and shared users).",
  },
  'quorum-list-values': {
    args: Empty,
    result: z.object({
      user: z.number().int(),
      quorum: z.number().int(),
      /** Absent on hsm1.medium, which has no `cluster` service. */
      cluster: z.number().int().optional(),
    }),
    access: anyone,
    writes: false,
    display: 'List quorum values',
    summary: 'The quorum value M of each admin service (no `cluster` on hsm1.medium).',
  },
  'quorum-set-value': {
    args: z
      .object({
        service: z.string().max(64),
        value: z.number(),
        approval: ApprovalSchema.optional(),
        allowUnmanageable: z.boolean().optional(),
      })
      .strict(),
    result: z.object({ warning: z.string().optional() }),
    access: admin('set quorum values'),
    writes: true,
    display: 'Set quorum value',
    summary: "Sets a service's quorum value, 1 or 2 to 8 (quorum: service `quorum`).",
  },
  'quorum-list-timeouts': {
    args: Empty,
    result: z.object({ generated: z.number().int(), approved: z.number().int() }),
    access: anyone,
    writes: false,
    display: 'List timeouts',
    summary: 'The generated and approved token timeouts, in seconds.',
  },
  'quorum-set-timeout': {
    args: z.object({ generated: z.number().optional(), approved: z.number().optional() }).strict(),
    result: z.object({}),
    access: admin('set token timeouts'),
    writes: true,
    display: 'Set token timeout',
    summary: 'Sets exactly one of the two token timeouts, in seconds.',
  },
  'quorum-delete': {
    args: z.object({ scope: z.enum(['user', 'all']) }).strict(),
    result: z.object({ deleted: z.number().int() }),
    access: login,
    rule: 'scope `all`: admin',
    writes: true,
    display: 'Delete quorum tokens',
    summary: "Drops the caller's approval tokens, or every user's.",
  },
  'quorum-get-policy': {
    args: Empty,
    result: z.object({ selfApproval: z.boolean(), lockoutGuard: z.boolean(), guard: z.boolean() }),
    access: anyone,
    writes: false,
    display: 'List quorum policy',
    summary: "LocalHSM's quorum policy switches.",
  },
  'quorum-set-policy': {
    args: z
      .object({
        selfApproval: z.boolean().optional(),
        lockoutGuard: z.boolean().optional(),
        guard: z.boolean().optional(),
        approval: ApprovalSchema.optional(),
      })
      .strict(),
    result: z.object({}),
    access: admin('change the quorum policy'),
    writes: true,
    display: 'Set quorum policy',
    summary: 'Changes the quorum policy switches (quorum: service `quorum`).',
  },
  // cluster mtls (hsm2m): trust anchors for client certificates, and whether the node requires one
  'mtls-register-trust-anchor': {
    args: z
      .object({ certificate: z.string().max(MAX_ANCHOR_PEM_CHARS), approval: ApprovalSchema.optional() })
      .strict(),
    result: TrustAnchorSchema.extend({ alreadyInEffect: z.boolean().optional() }),
    access: admin('register trust anchors'),
    rule: 'an X.509 certificate with an EC P-256/P-384/P-521 or RSA 2048/3072/4096 key; at most 2 anchors',
    writes: true,
    display: 'Register trust anchor',
    summary: 'Registers a CA certificate that client certificates may chain to (quorum: service `cluster`).',
  },
  'mtls-deregister-trust-anchor': {
    args: z.object({ reference: z.string().max(32), approval: ApprovalSchema.optional() }).strict(),
    result: z.object({ alreadyInEffect: z.boolean().optional() }),
    access: admin('deregister trust anchors'),
    rule: 'never the last anchor while enforcement is `cluster`',
    writes: true,
    display: 'Deregister trust anchor',
    summary: 'Removes a trust anchor by its certificate reference (quorum: service `cluster`).',
  },
  'mtls-list-trust-anchors': {
    args: Empty,
    result: z.object({ anchors: z.array(TrustAnchorSchema) }),
    access: anyone,
    writes: false,
    display: 'List trust anchors',
    summary: "This HSM's trust anchors (the client merges HSMs into `cluster-coverage`).",
  },
  'mtls-set-enforcement': {
    args: z.object({ level: z.string().max(32), approval: ApprovalSchema.optional() }).strict(),
    result: z.object({ level: z.enum(MTLS_ENFORCEMENT_LEVELS) }),
    access: admin('set the mtls enforcement level'),
    rule: '`cluster` needs a trust anchor and a session whose client certificate chains to one',
    writes: true,
    display: 'Set mtls enforcement',
    summary: 'Sets whether new connections need a client certificate (quorum: service `cluster`).',
  },
  'mtls-get-enforcement': {
    args: Empty,
    result: z.object({ level: z.enum(MTLS_ENFORCEMENT_LEVELS) }),
    access: login,
    writes: false,
    display: 'Get mtls enforcement',
    summary: "This HSM's mtls enforcement level.",
  },
  // The dev clock (HSMs created with `localhsm up --dev-clock` only): offset from the system clock, in ms.
  'dev-clock-get': {
    args: Empty,
    result: DevClockState,
    access: anyone,
    rule: 'dev-clock HSMs only, else ERR_DEV_CLOCK_OFF',
    writes: false,
    display: 'Time',
    summary: "The HSM's time and its offset from the system clock.",
  },
  'dev-clock-set': {
    args: z
      .object({
        offsetMs: z.number().int().min(0).max(MAX_DEV_CLOCK_OFFSET_MS),
        // The cluster's control secret (dev-clock.secret in the state directory); refused without it.
        secret: z.string().max(128).optional(),
      })
      .strict(),
    result: DevClockState,
    access: anyone,
    rule: 'dev-clock HSMs only, else ERR_DEV_CLOCK_OFF',
    writes: true,
    display: 'Time',
    summary: "Moves the HSM's time to the system time plus `offsetMs` (persisted).",
  },
  // keys and crypto (issue 16): keys are selected by reference; the client resolves filters with key-list first
  'key-generate': {
    args: z
      .object({
        type: z.enum(['rsa', 'ec', 'aes', 'generic-secret', 'ml-dsa']),
        label: z.string().max(1024).optional(),
        publicLabel: z.string().max(1024).optional(),
        privateLabel: z.string().max(1024).optional(),
        modulusBits: smallInt.optional(),
        publicExponent: z
          .number()
          .int()
          .min(0)
          .max(2 ** 40)
          .optional(),
        curve: z.string().max(32).optional(),
        mldsaAlgorithm: z.string().max(32).optional(),
        keyLengthBytes: smallInt.optional(),
        attributes: AttributeWordsSchema.optional(),
        publicAttributes: AttributeWordsSchema.optional(),
        privateAttributes: AttributeWordsSchema.optional(),
        session: z.boolean().optional(),
        share: z.array(name).max(64).optional(),
        manageQuorum: smallInt.optional(),
        useQuorum: smallInt.optional(),
      })
      .strict(),
    result: CreatedKeysSchema,
    access: cryptoUser('generate keys'),
    rule: 'curve ed25519: hsm2m.medium in non-FIPS mode only; ml-dsa: hsm2m.medium only',
    writes: true,
    display: 'Key generate',
    summary:
      'Generates a key or key pair owned by the caller; token keys come with sealed copies for the other HSMs.',
  },
  'key-import': {
    args: z
      .object({
        pem: z.string().max(64 * 1024),
        label: z.string().max(1024),
        keyTypeClass: z.enum(['rsa-public', 'ec-public']),
        attributes: AttributeWordsSchema.optional(),
      })
      .strict(),
    result: CreatedKeysSchema,
    access: cryptoUser('import keys'),
    writes: true,
    display: 'Key import',
    summary: 'Imports a public key (SPKI PEM) owned by the caller, with its sealed copy for the other HSMs.',
  },
  'key-insert': {
    args: z
      .object({
        copy: KeyCopySchema,
        // key unwrap --approval: this HSM's record of the unwrapping key's token is consumed with the copy.
        unwrappingRef: KeyRefSchema.optional(),
        approval: ApprovalSchema.optional(),
      })
      .strict(),
    result: z.object({ key: KeyViewSchema }),
    access: cryptoUser('copy keys'),
    rule: "the copy was sealed by an HSM of this cluster and the caller is the key's owner; with `unwrappingRef`, the key-management approval of that key as key-unwrap checks it",
    writes: true,
    display: 'Key synchronization',
    summary:
      'Stores a key another HSM of the cluster created (client-side synchronisation); an identical key is a no-op.',
  },
  'key-list': {
    args: z
      .object({
        filter: FilterSchema,
        maxItems: smallInt,
        offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        verbose: z.boolean(),
      })
      .strict(),
    result: z.object({ keys: z.array(KeyViewSchema), total: z.number().int() }),
    access: login,
    rule: 'crypto users see their keys, keys shared with them and public keys; admins every token key, never verbose',
    writes: false,
    display: 'Key list',
    summary:
      'One page of the visible keys matching the filter, in ascending reference order, and their number.',
  },
  'key-delete': {
    args: z.object({ ref: KeyRefSchema }).strict(),
    result: z.object({}),
    access: cryptoUser('delete keys'),
    rule: 'owner only',
    writes: true,
    display: 'Key delete',
    summary: 'Deletes one key.',
  },
  'key-share': {
    args: z.object({ ref: KeyRefSchema, username: name, role, approval: ApprovalSchema.optional() }).strict(),
    result: z.object({}),
    access: cryptoUser('share keys'),
    rule: 'owner only; the target is another crypto user; key-management approval when the manage quorum > 1',
    writes: true,
    display: 'Key share',
    summary: 'Shares a key with a crypto user (appended to its shared users).',
  },
  'key-unshare': {
    args: z.object({ ref: KeyRefSchema, username: name, role, approval: ApprovalSchema.optional() }).strict(),
    result: z.object({}),
    access: cryptoUser('unshare keys'),
    rule: 'owner only; key-management approval when the manage quorum > 1',
    writes: true,
    display: 'Key unshare',
    summary: 'Removes a crypto user from the shared users of a key.',
  },
  'key-set-attribute': {
    args: z
      .object({
        ref: KeyRefSchema,
        name: z.string().max(64),
        value: z.string().max(1024),
        approval: ApprovalSchema.optional(),
      })
      .strict(),
    // A session key made a token key (token false→true): its sealed copy, for the client to carry to the other HSMs.
    result: z.object({ copy: KeyCopySchema.optional() }),
    access: login,
    rule: 'the owner (crypto user), with key-management approval when the manage quorum > 1; an admin for `trusted` only',
    writes: true,
    display: 'Key set attribute',
    summary: 'Changes one attribute within the settable, one-way and read-only rules.',
  },
  'key-export': {
    args: z.object({ ref: KeyRefSchema, encoding: z.enum(['pem', 'reference-pem']) }).strict(),
    result: z.object({ pem: z.string() }),
    access: cryptoUser('export keys'),
    rule: 'owner only; `pem` for public keys, `reference-pem` for private keys (no private material)',
    writes: false,
    display: 'Key generate file',
    summary: 'The key file `key generate-file` writes.',
  },
  // key replicate between a cluster and its clone (src/hsm/keys/key-seal.ts), as user replicate: the destination
  // issues a challenge, the source seals the whole key record to it, the destination opens the seal.
  'key-replicate-challenge': {
    args: z.object({ ref: KeyRefSchema }).strict(),
    result: z.object({ challenge: MfaToken }),
    access: login,
    rule: 'the challenge is single-use, bound to this login and the reference, and expires like an MFA token',
    writes: true,
    display: 'Key replicate',
    summary: 'Destination, step 1: a challenge the source HSMs seal the key to.',
  },
  'key-replicate-export': {
    args: z
      .object({
        ref: KeyRefSchema,
        destinationClusterId: name,
        challenges: z.array(MfaToken).min(1).max(16),
      })
      .strict(),
    result: z.object({ key: KeyViewSchema, digest: z.string(), sealed: z.array(z.string()) }),
    access: login,
    rule: 'a token key: a crypto user must own it, an admin may replicate any; a cluster without a clone family refuses',
    writes: true,
    display: 'Key replicate',
    summary:
      "Source: the key record sealed under the clone family's key once per destination challenge, and a keyed digest to compare HSMs.",
  },
  'key-replicate-import': {
    args: z.object({ ref: KeyRefSchema, challenge: MfaToken, sealed: z.string().max(96 * 1024) }).strict(),
    result: z.object({ key: KeyViewSchema, alreadyInEffect: z.boolean().optional() }),
    access: login,
    rule: "the seal opens under this HSM's clone family key for this cluster, challenge and reference; a crypto user must be the owner; owner and shared users exist here",
    writes: true,
    display: 'Key replicate',
    summary:
      'Destination, step 2: stores the key (same reference, owner, shares, quorum values, attributes); an identical key is a no-op.',
  },
  'key-wrap': {
    args: z
      .object({
        mechanism: z.enum(WRAP_MECHANISMS),
        payloadRef: KeyRefSchema,
        wrappingRef: KeyRefSchema,
        ...WrapParamsShape,
        payloadApproval: ApprovalSchema.optional(),
        wrappingApproval: ApprovalSchema.optional(),
      })
      .strict(),
    result: z.object({
      payloadRef: z.string(),
      wrappingRef: z.string(),
      wrapped: z.string(),
      iv: z.string().optional(),
    }),
    access: cryptoUser('wrap keys'),
    rule: 'payload: owner only, extractable=true (wrap-with-trusted needs a trusted wrapping key); wrapping key: owner, shared user or a public key, wrap=true',
    writes: false,
    auditedWhen: 'every attempt on keys the caller may use (key material leaves the HSM)',
    display: 'Key wrap',
    summary: 'Wraps a private or secret key under a wrapping key (base64 result; `iv` in hex for aes-gcm).',
  },
  'key-unwrap': {
    args: z
      .object({
        mechanism: z.enum(WRAP_MECHANISMS),
        ref: KeyRefSchema,
        wrapped: z.string().max(32 * 1024),
        keyTypeClass: z.enum(UNWRAP_KEY_TYPE_CLASSES),
        label: z.string().max(1024),
        attributes: AttributeWordsSchema.optional(),
        session: z.boolean().optional(),
        share: z.array(name).max(64).optional(),
        manageQuorum: smallInt.optional(),
        useQuorum: smallInt.optional(),
        ...WrapParamsShape,
        iv: z.string().max(64).optional(),
        approval: ApprovalSchema.optional(),
      })
      .strict(),
    result: CreatedKeysSchema,
    access: cryptoUser('unwrap keys'),
    rule: "unwrapping key: owner or shared user, unwrap=true; the new key is the caller's, local=false",
    writes: true,
    display: 'Key unwrap',
    summary:
      'Unwraps a key into a new key owned by the caller (local=false), with its sealed copy for the other HSMs.',
  },
  'crypto-sign': {
    args: z
      .object({
        ref: KeyRefSchema,
        mechanism: z.enum(SIGN_WIRE_MECHANISMS),
        hash: z.enum(SIGN_WIRE_HASHES).optional(),
        digest: z.string().max(MAX_SIGN_DATA_CHARS),
        dataType: z.enum(['raw', 'external-mu']).optional(),
        mgf: z.string().max(32).optional(),
        saltLength: smallInt.optional(),
        approval: ApprovalSchema.optional(),
      })
      .strict(),
    result: z.object({ signature: z.string() }),
    access: cryptoUser('sign'),
    rule: 'owner or shared user; the private key has sign=true; key-usage approval when the use quorum > 1; ed25519/ed25519ph: hsm2m.medium non-FIPS; ml-dsa: hsm2m.medium',
    writes: false,
    auditedWhen: 'when the use quorum > 1 (it consumes an approval)',
    display: 'Crypto sign',
    summary:
      'Signs with a private key: a digest (the client hashes raw data; rsa-pkcs digests are DER DigestInfo; ed25519ph takes SHA-512), the message itself (ed25519, ml-dsa `raw`) or a 64-byte mu (ml-dsa `external-mu`).',
  },
  'key-sync-list': {
    args: z.object({ proof: z.string().max(64) }).strict(),
    result: z.object({
      refs: z.array(z.number().int()),
      versions: z.array(z.number().int()),
      digests: z.array(z.string()),
      tombstones: z.array(z.number().int()),
    }),
    access: anyone,
    rule: "the appliance user only: the proof is made with the cluster's masking key",
    writes: false,
    display: 'Key sync list',
    summary:
      'Server-side sync: the token key references this HSM holds (with their versions) and the ones deleted on it.',
  },
  'key-sync-copy': {
    args: z.object({ proof: z.string().max(64), refs: z.array(z.number().int().min(1)).max(256) }).strict(),
    result: z.object({ copies: z.array(KeyCopySchema) }),
    access: anyone,
    rule: "the appliance user only: the proof is made with the cluster's masking key",
    writes: false,
    display: 'Key sync copy',
    summary:
      'Server-side sync: sealed copies of token keys this HSM holds (nobody outside the cluster opens them).',
  },
  'key-sync-apply': {
    args: z
      .object({
        proof: z.string().max(64),
        copies: z.array(KeyCopySchema).max(64),
        tombstones: z.array(z.number().int().min(1)).max(100_000),
      })
      .strict(),
    result: z.object({
      inserted: z.number().int(),
      updated: z.number().int(),
      deleted: z.number().int(),
      conflicts: z.array(z.number().int()),
    }),
    access: anyone,
    rule: "the appliance user only: the proof is made with the cluster's masking key; a deleted key never comes back; an older version never replaces a newer one",
    writes: true,
    display: 'Key sync apply',
    summary:
      'Server-side sync: stores key copies this HSM missed, the newer versions of keys changed while it was away, and deletes the keys deleted on other HSMs.',
  },
  'crypto-verify': {
    args: z
      .object({
        ref: KeyRefSchema,
        mechanism: z.enum(SIGN_WIRE_MECHANISMS),
        hash: z.enum(SIGN_WIRE_HASHES).optional(),
        digest: z.string().max(MAX_SIGN_DATA_CHARS),
        dataType: z.enum(['raw', 'external-mu']).optional(),
        signature: z.string().max(8192),
        mgf: z.string().max(32).optional(),
        saltLength: smallInt.optional(),
      })
      .strict(),
    result: z.object({}),
    access: cryptoUser('verify'),
    rule: 'a visible public key with verify=true; ed25519/ed25519ph: hsm2m.medium non-FIPS; ml-dsa: hsm2m.medium',
    writes: false,
    display: 'Crypto verify',
    summary: 'Verifies a signature with a public key, over the same input as crypto-sign.',
  },
  // The operator's read of what otherwise needs a login (localhsm console): proven by the HSM's audit key.
  'quorum-list-operator': {
    args: z.object({ proof: z.string().max(128) }).strict(),
    result: z.object({ tokens: z.array(TokenViewSchema) }),
    access: anyone,
    rule: "the operator proof (an HMAC under the HSM's audit key, read from its data directory), else ERR_OPERATOR_PROOF",
    writes: false,
    display: 'Quorum token list',
    summary:
      'The live approval tokens of this HSM, for the operator of its state directory (localhsm console).',
  },
} as const satisfies Record<string, OperationDescriptor>;

export type OperationName = keyof typeof OPERATIONS;
export type OpArgs<O extends OperationName> = z.infer<(typeof OPERATIONS)[O]['args']>;
export type OpResult<O extends OperationName> = z.infer<(typeof OPERATIONS)[O]['result']>;

export function isOperationName(op: string): op is OperationName {
  return Object.hasOwn(OPERATIONS, op);
}

/** The name an operation goes by in client messages ("User delete failed on 1 of 3 connections"). */
export function displayName(op: OperationName): string {
  return OPERATIONS[op].display;
}
