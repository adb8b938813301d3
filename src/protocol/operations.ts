// The wire operations: for each, the schema of its arguments and of its result. One source of truth
// for the node (which validates every request against it) and the client (which types its calls).
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

export const OPERATIONS = {
  'hsm-info': { args: Empty, result: HsmInfoSchema },
  'cluster-activate': {
    args: z.object({ password: secret }).strict(),
    result: z.object({ alreadyInEffect: z.boolean().optional() }),
  },
  'user-list': { args: Empty, result: z.object({ users: z.array(UserViewSchema) }) },
  login: {
    args: z.object({ username: name, role, password: secret }).strict(),
    result: z.object({ username: z.string(), role: z.enum(LOGIN_ROLES) }),
  },
  logout: { args: Empty, result: z.object({}) },
  'user-create': {
    args: UserRef.extend({ password: secret, approval: ApprovalSchema.optional() }).strict(),
    result: UserChange,
  },
  'user-delete': {
    args: UserRef.extend({
      approval: ApprovalSchema.optional(),
      allowUnmanageable: z.boolean().optional(),
    }).strict(),
    result: UserChange,
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
  },
  'login-mfa-start': {
    args: z.object({ username: name, role, password: secret }).strict(),
    result: MfaTokenIssued,
  },
  'login-mfa-finish': {
    args: z.object({ token: MfaToken, signature, commit: z.boolean() }).strict(),
    result: MfaFinished,
  },
  'change-mfa-start': {
    args: UserRef.extend({
      password: secret,
      changeQuorum: z.boolean().optional(),
      approval: ApprovalSchema.optional(),
    }).strict(),
    result: MfaTokenIssued,
  },
  'change-mfa-finish': {
    args: z.object({ token: MfaToken, signature, publicKey: publicKeyPem, commit: z.boolean() }).strict(),
    result: MfaFinished,
  },
  'change-mfa-deregister': {
    args: UserRef.extend({
      password: secret,
      changeQuorum: z.boolean().optional(),
      approval: ApprovalSchema.optional(),
      allowUnmanageable: z.boolean().optional(),
    }).strict(),
    result: UserChange,
  },
  // quorum (M of N) token-sign
  'quorum-generate': {
    args: z.object({ service: z.string().max(64) }).strict(),
    result: z.object({ record: z.string() }),
  },
  'quorum-register-start': {
    args: Empty,
    result: z.object({ approvalData: z.string(), unsigned: z.string() }),
  },
  /** Two phases: every HSM verifies (`commit: false`), then every HSM registers (`commit: true`). */
  'quorum-register-finish': {
    args: z
      .object({
        publicKey: z.string().max(16_384),
        tokens: z.array(RegistrationEntrySchema).max(64),
        commit: z.boolean(),
      })
      .strict(),
    result: UserChange,
  },
  'quorum-list': { args: Empty, result: z.object({ tokens: z.array(TokenViewSchema) }) },
  'quorum-list-values': {
    args: Empty,
    result: z.object({ user: z.number().int(), quorum: z.number().int(), cluster: z.number().int() }),
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
    result: z.object({}),
  },
  'quorum-list-timeouts': {
    args: Empty,
    result: z.object({ generated: z.number().int(), approved: z.number().int() }),
  },
  'quorum-set-timeout': {
    args: z.object({ generated: z.number().optional(), approved: z.number().optional() }).strict(),
    result: z.object({}),
  },
  'quorum-delete': {
    args: z.object({ scope: z.enum(['user', 'all']) }).strict(),
    result: z.object({ deleted: z.number().int() }),
  },
  'quorum-get-policy': {
    args: Empty,
    result: z.object({ selfApproval: z.boolean(), lockoutGuard: z.boolean() }),
  },
  'quorum-set-policy': {
    args: z
      .object({
        selfApproval: z.boolean().optional(),
        lockoutGuard: z.boolean().optional(),
        approval: ApprovalSchema.optional(),
      })
      .strict(),
    result: z.object({}),
  },
  // The dev clock (HSMs created with `localhsm up --dev-clock` only): offset from the system clock, in ms.
  'dev-clock-get': { args: Empty, result: DevClockState },
  'dev-clock-set': {
    args: z
      .object({
        offsetMs: z.number().int().min(0).max(MAX_DEV_CLOCK_OFFSET_MS),
        // The cluster's control secret (dev-clock.secret in the state directory); refused without it.
        secret: z.string().max(128).optional(),
      })
      .strict(),
    result: DevClockState,
  },
} as const;

export type OperationName = keyof typeof OPERATIONS;
export type OpArgs<O extends OperationName> = z.infer<(typeof OPERATIONS)[O]['args']>;
export type OpResult<O extends OperationName> = z.infer<(typeof OPERATIONS)[O]['result']>;

export function isOperationName(op: string): op is OperationName {
  return Object.hasOwn(OPERATIONS, op);
}
