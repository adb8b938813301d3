// The wire operations: for each, the schema of its arguments and of its result. One source of truth
// for the node (which validates every request against it) and the client (which types its calls).
import { z } from 'zod';
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
  'user-create': { args: UserRef.extend({ password: secret }).strict(), result: UserChange },
  'user-delete': { args: UserRef, result: UserChange },
  'user-change-password': {
    args: UserRef.extend({
      password: secret,
      deregisterMfa: z.boolean().optional(),
      deregisterQuorum: z.boolean().optional(),
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
    args: UserRef.extend({ password: secret, changeQuorum: z.boolean().optional() }).strict(),
    result: MfaTokenIssued,
  },
  'change-mfa-finish': {
    args: z.object({ token: MfaToken, signature, publicKey: publicKeyPem, commit: z.boolean() }).strict(),
    result: MfaFinished,
  },
  'change-mfa-deregister': {
    args: UserRef.extend({ password: secret, changeQuorum: z.boolean().optional() }).strict(),
    result: UserChange,
  },
  // The dev clock (HSMs created with `localhsm up --dev-clock` only): offset from the system clock, in ms.
  'dev-clock-get': { args: Empty, result: DevClockState },
  'dev-clock-set': {
    args: z.object({ offsetMs: z.number().int().min(0).max(MAX_DEV_CLOCK_OFFSET_MS) }).strict(),
    result: DevClockState,
  },
} as const;

export type OperationName = keyof typeof OPERATIONS;
export type OpArgs<O extends OperationName> = z.infer<(typeof OPERATIONS)[O]['args']>;
export type OpResult<O extends OperationName> = z.infer<(typeof OPERATIONS)[O]['result']>;

export function isOperationName(op: string): op is OperationName {
  return Object.hasOwn(OPERATIONS, op);
}
