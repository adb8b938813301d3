// Quorum (M of N) values shared by the node and its clients: services, limits, and the wire shape of an approval.
import { z } from 'zod';
import type { HsmType } from './types.js';

/** Services whose operations an admin quorum protects (spec §5.3); `cluster` guards the cluster mtls changes. */
export const ADMIN_SERVICES = ['user', 'quorum', 'cluster'] as const;
export type AdminService = (typeof ADMIN_SERVICES)[number];

/** Services tied to keys: accepted by the CLI's --service but refused until LocalHSM has keys. */
export const KEY_SERVICES = ['key-usage', 'key-management'] as const;

export type KeyService = (typeof KEY_SERVICES)[number];

/** Every value `quorum token-sign generate --service` accepts. */
export const TOKEN_SERVICES = [...ADMIN_SERVICES, 'registration', ...KEY_SERVICES] as const;
export type TokenService = (typeof TOKEN_SERVICES)[number];

/** The admin services of an HSM type: the `cluster` service (mTLS) exists on hsm2m.medium only (spec §5.3, §5.7). */
export function adminServicesOf(type: HsmType): readonly AdminService[] {
  return type === 'hsm1.medium' ? ADMIN_SERVICES.filter((s) => s !== 'cluster') : ADMIN_SERVICES;
}

export function isAdminService(value: string): value is AdminService {
  return (ADMIN_SERVICES as readonly string[]).includes(value);
}

export function isKeyService(value: string): value is KeyService {
  return (KEY_SERVICES as readonly string[]).includes(value);
}

/** A quorum value is 1 (no quorum) or M from 2 to 8. */
export const MAX_QUORUM_VALUE = 8;
export function isValidQuorumValue(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_QUORUM_VALUE;
}

/** Token timeouts are whole seconds in this range (ours: the real bounds are undocumented). */
export const MIN_TOKEN_TIMEOUT_SECONDS = 1;
export const MAX_TOKEN_TIMEOUT_SECONDS = 86_400;
export const DEFAULT_TOKEN_TIMEOUT_SECONDS = 600;
export function isValidTokenTimeout(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_TOKEN_TIMEOUT_SECONDS && value <= MAX_TOKEN_TIMEOUT_SECONDS;
}

/** An HSM holds at most this many quorum tokens (CloudHSM's figure). */
export const MAX_QUORUM_TOKENS = 1024;

/** Bytes one HSM contributes to an approval token's approval_data (layout in src/hsm/quorum/record.ts). */
export const APPROVAL_RECORD_BYTES = 80;
/** 28 HSMs per cluster at most (CloudHSM's limit), one record each. */
export const MAX_APPROVAL_DATA_BYTES = 28 * APPROVAL_RECORD_BYTES;
/**
 * A registration token's approval_data: one record per HSM, like an approval token (the guide's file
 * holds one entry for the whole cluster). 245 bytes, the size once assumed, holds only three.
 */
export const MAX_REGISTRATION_DATA_BYTES = MAX_APPROVAL_DATA_BYTES;

// Loose bounds on the wire (base64 text of the sizes above); the node decodes strictly and says what is wrong.
const base64Text = (maxBytes: number) => z.string().max(Math.ceil(maxBytes / 3) * 4);
const username = z.string().max(256);
/** A 4096-bit signature in base64 is 684 characters; anything longer is not a signature. */
const signature = z.string().max(1024);

/** One approver's entry of an approval file, as sent to the HSM (empty placeholders are dropped by the client). */
export const ApprovalSignatureSchema = z.object({ username, signature }).strict();

/** What `--approval FILE` sends: the parsed approval token file. */
export const ApprovalSchema = z
  .object({
    approvalData: base64Text(MAX_APPROVAL_DATA_BYTES),
    token: base64Text(32),
    signatures: z.array(ApprovalSignatureSchema).max(64),
  })
  .strict();
export type Approval = z.infer<typeof ApprovalSchema>;

/** One entry of a registration token file (one for the cluster; one per HSM in older files). */
export const RegistrationEntrySchema = z
  .object({
    approvalData: base64Text(MAX_REGISTRATION_DATA_BYTES),
    unsigned: base64Text(32),
    signed: signature,
  })
  .strict();
export type RegistrationEntry = z.infer<typeof RegistrationEntrySchema>;

/** One live token as one HSM lists it (the client merges these into `quorum token-sign list` rows). */
export const TokenViewSchema = z.object({
  username: z.string(),
  service: z.enum(ADMIN_SERVICES),
  approvalsRequired: z.number().int(),
  approvals: z.number().int(),
  remainingSeconds: z.number().int(),
});
export type TokenView = z.infer<typeof TokenViewSchema>;
