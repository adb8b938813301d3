// A key object as one HSM keeps it: reference, owner, shares, quorum values, attributes in display order, material.

/** Attribute values as `key list --verbose` prints them. */
export type AttributeValue = string | number | boolean;

export interface KeyRecord {
  /** The 64-bit key reference (a safe integer here), unique per cluster. */
  ref: number;
  keyType: string;
  keyClass: 'public-key' | 'private-key' | 'secret-key';
  label: string;
  owner: string;
  /** Crypto users the key is shared with, in share order. */
  shared: string[];
  manageQuorum: number;
  useQuorum: number;
  /** The node session that owns a session key (`--session`); null for a token key. */
  sessionId: number | null;
  /** Every attribute of cloudhsm-cli spec §2.6, in the order of §2.5. */
  attributes: Record<string, AttributeValue>;
  /**
   * Public keys: the SPKI DER in clear. Private and secret keys: sealed under the cluster masking key
   * (AES-256-GCM, the reference as AAD); never clear here.
   */
  material: Buffer;
  /**
   * How many changes (set-attribute, share, unshare) this key object has had: each mutating transaction adds one,
   * and server-side sync carries the highest version to every HSM (absent = 0, a key as created).
   */
  version?: number;
}

/** The fixed attribute order of every verbose key object (spec §2.5); type-specific members follow. */
export const ATTRIBUTE_ORDER = [
  'key-type',
  'label',
  'id',
  'check-value',
  'class',
  'encrypt',
  'decrypt',
  'token',
  'always-sensitive',
  'derive',
  'destroyable',
  'extractable',
  'local',
  'modifiable',
  'never-extractable',
  'private',
  'sensitive',
  'sign',
  'trusted',
  'unwrap',
  'verify',
  'wrap',
  'wrap-with-trusted',
  'key-length-bytes',
] as const;

export const RSA_ATTRIBUTES = ['public-exponent', 'modulus', 'modulus-size-bits'] as const;
export const EC_ATTRIBUTES = ['ec-point', 'curve'] as const;

/** Every attribute name a filter or set-attribute may name, with its value type. */
export const ATTRIBUTE_TYPES: Readonly<Record<string, 'bool' | 'string' | 'hex' | 'number'>> = {
  'key-type': 'string',
  label: 'string',
  id: 'hex',
  'check-value': 'hex',
  class: 'string',
  encrypt: 'bool',
  decrypt: 'bool',
  token: 'bool',
  'always-sensitive': 'bool',
  derive: 'bool',
  destroyable: 'bool',
  extractable: 'bool',
  local: 'bool',
  modifiable: 'bool',
  'never-extractable': 'bool',
  private: 'bool',
  sensitive: 'bool',
  sign: 'bool',
  trusted: 'bool',
  unwrap: 'bool',
  verify: 'bool',
  wrap: 'bool',
  'wrap-with-trusted': 'bool',
  'key-length-bytes': 'number',
  'public-exponent': 'hex',
  modulus: 'hex',
  'modulus-size-bits': 'number',
  'ec-point': 'hex',
  curve: 'string',
  'mldsa-algorithm': 'string',
};

/** `0x` + 16 lower-case hex digits, as every key reference is printed. */
export function formatRef(ref: number): string {
  return '0x' + ref.toString(16).padStart(16, '0');
}

/** `0x`-prefixed hex (any case, ≤ 16 digits) or plain decimal; undefined when neither. */
export function parseRef(text: string): number | undefined {
  const t = text.trim();
  let value: bigint;
  if (/^0x[0-9a-f]{1,16}$/i.test(t)) value = BigInt(t);
  else if (/^[0-9]{1,20}$/.test(t)) value = BigInt(t);
  else return undefined;
  // References are allocated from 1 upward, so a safe integer holds every one that can exist.
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : -1;
}

/** Longest label (SDK ≥ 5.11). */
export const MAX_LABEL_LENGTH = 127;
