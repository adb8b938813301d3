// The wire operations, one descriptor each: schemas, who may call it, whether it writes (is audited), its
// display name. The node's dispatch, the client's typed calls and docs/protocol.md are derived from it.
import { z } from 'zod';
import { ApprovalSchema, RegistrationEntrySchema, TokenViewSchema } from './quorum.js';
import { LOGIN_ROLES, UserViewSchema } from './types.js';

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
      readonly level: 'admin' | 'self-or-admin';
      /** The action ERR_PERMISSION_DENIED names ("the crypto-user role cannot {action}"). */
      readonly action: string;
    };
export type AccessLevel = Access['level'];

const anyone: Access = { level: 'anyone' };
const loggedOut: Access = { level: 'logged-out' };
const login: Access = { level: 'login' };
const admin = (action: string): Access => ({ level: 'admin', action });
const selfOrAdmin = (action: string): Access => ({ level: 'self-or-admin', action });

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
    summary: "Sets a user's password; an admin's change also unlocks (quorum for another user's).",
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
    args: z.object({ service: z.string().max(64) }).strict(),
    result: z.object({ record: z.string() }),
    access: login,
    rule: 'admin (checked after the service name)',
    writes: true,
    display: 'Quorum token generate',
    summary: "This HSM's 80-byte record (base64) of a new approval token for an admin service.",
  },
  'quorum-register-start': {
    args: Empty,
    result: z.object({ approvalData: z.string(), unsigned: z.string() }),
    access: login,
    writes: true,
    display: 'Quorum token generate',
    summary: "This HSM's registration token for the caller's quorum key.",
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
    rule: 'the session that got the registration token',
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
    summary: 'The live approval tokens of this HSM.',
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
