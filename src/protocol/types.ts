// Domain values shared by the node and its clients: roles, name and password rules, user views.
import { z } from 'zod';

/** Roles a user can log in with (`--role`), as cloudhsm-cli spells them. */
export const LOGIN_ROLES = ['admin', 'crypto-user'] as const;
export type LoginRole = (typeof LOGIN_ROLES)[number];

export function isLoginRole(value: string): value is LoginRole {
  return (LOGIN_ROLES as readonly string[]).includes(value);
}

/** Every role `user list` can print. */
export const ROLES = ['admin', 'crypto-user', 'unactivated-admin', 'internal(APPLIANCE_USER)'] as const;
export type Role = (typeof ROLES)[number];

export const APPLIANCE_USER = 'app_user';
export const INITIAL_ADMIN = 'admin';

/** CloudHSM's maximum users per cluster on hsm2m.medium; the node refuses more. */
export const MAX_USERS = 1024;

/** The HSM types of a CloudHSM cluster (`localhsm up --hsm-type`); a state without one is hsm2m.medium. */
export const HSM_TYPES = ['hsm1.medium', 'hsm2m.medium'] as const;
export type HsmType = (typeof HSM_TYPES)[number];
export const DEFAULT_HSM_TYPE: HsmType = 'hsm2m.medium';

/**
 * The mode of a cluster (`localhsm up --mode`, AWS create-cluster `--mode`): FIPS unless asked, as AWS creates
 * clusters; hsm1.medium clusters are always FIPS. Ed25519 exists on hsm2m.medium non-FIPS clusters only.
 */
export const HSM_MODES = ['fips', 'non-fips'] as const;
export type HsmMode = (typeof HSM_MODES)[number];
export const DEFAULT_HSM_MODE: HsmMode = 'fips';

export function isHsmMode(value: string): value is HsmMode {
  return (HSM_MODES as readonly string[]).includes(value);
}

export function isHsmType(value: string): value is HsmType {
  return (HSM_TYPES as readonly string[]).includes(value);
}

/** Maximum users per cluster by type (AWS CloudHSM quotas page: 250 on hsm1.medium, 1,024 on hsm2m.medium). */
export const MAX_USERS_BY_TYPE: Readonly<Record<HsmType, number>> = {
  'hsm1.medium': 250,
  'hsm2m.medium': MAX_USERS,
};

/** The `type` member of a cloudhsm-cli.cfg cluster entry for an HSM type (the real files say hsm1 / hsm2m). */
export function configType(type: HsmType): string {
  return type.slice(0, type.indexOf('.'));
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_]{1,31}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 32;

export function isValidUsername(name: string): boolean {
  return USERNAME_PATTERN.test(name);
}

/** Usernames are case-insensitive on input and stored in lower case. */
export function normalizeUsername(name: string): string {
  return name.toLowerCase();
}

/** C0 controls, DEL and C1 controls: invisible, and a newline cannot even be typed at a prompt. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** What is wrong with a password, if anything. Length is counted in Unicode code points. */
export function passwordProblem(password: string): 'length' | 'control' | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX || password.includes(':')) return 'length';
  if (CONTROL_CHARACTER.test(password)) return 'control';
  return undefined;
}

/** One user as one HSM sees it (the client merges these into `user list` rows). */
export const UserViewSchema = z.object({
  username: z.string(),
  role: z.enum(ROLES),
  locked: z.boolean(),
  mfa: z.boolean(),
  quorum: z.boolean(),
});
export type UserView = z.infer<typeof UserViewSchema>;
