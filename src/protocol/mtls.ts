// cluster mtls values shared by the node and its clients: enforcement levels, the trust anchor limit, wire shapes.
import { z } from 'zod';

/** `none`: any client may connect; `cluster`: only clients with a certificate chaining to a trust anchor. */
export const MTLS_ENFORCEMENT_LEVELS = ['none', 'cluster'] as const;
export type MtlsEnforcementLevel = (typeof MTLS_ENFORCEMENT_LEVELS)[number];

export function isMtlsEnforcementLevel(value: string): value is MtlsEnforcementLevel {
  return (MTLS_ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

/** An HSM holds at most this many trust anchors (CloudHSM's limit for hsm2m.medium). */
export const MAX_TRUST_ANCHORS = 2;

/** A PEM certificate on the wire (an RSA-4096 certificate is about 2 KB of PEM). */
export const MAX_ANCHOR_PEM_CHARS = 16_384;

/** One registered trust anchor as an HSM reports it; `reference` is `0x` and 2 hex digits ("0x01"). */
export const TrustAnchorSchema = z.object({
  reference: z.string().regex(/^0x[0-9a-f]{2}$/),
  certificate: z.string().max(MAX_ANCHOR_PEM_CHARS),
});
export type TrustAnchor = z.infer<typeof TrustAnchorSchema>;

/** "0x01" for 1: how CloudHSM prints certificate references. */
export function formatAnchorReference(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** The number of a reference as typed by a user ("0x01", "0x1", "1"); undefined when it is not one. */
export function parseAnchorReference(text: string): number | undefined {
  const match = /^(?:0x([0-9a-f]{1,8})|(\d{1,9}))$/i.exec(text.trim());
  if (!match) return undefined;
  return match[1] !== undefined ? parseInt(match[1], 16) : Number(match[2]);
}
