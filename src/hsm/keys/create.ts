// Building a new key object: defaults of spec §2.6, the attributes the caller may set at creation, derived values.
import { HsmError } from '../../errors.js';
import { type DerivedKeyType, deriveAttributes } from '../../keys/derived.js';
import type { Curve } from '../../keys/material.js';
import { attributeValues } from './filter.js';
import {
  ATTRIBUTE_ORDER,
  type AttributeValue,
  EC_ATTRIBUTES,
  type KeyRecord,
  MAX_LABEL_LENGTH,
  RSA_ATTRIBUTES,
} from './record.js';

/** Attributes a caller may give at creation (§2.6 column C); the others are derived or fixed. */
const SETTABLE_AT_CREATION = new Set([
  'label',
  'id',
  'encrypt',
  'decrypt',
  'token',
  'derive',
  'destroyable',
  'extractable',
  'modifiable',
  'private',
  'sensitive',
  'sign',
  'unwrap',
  'verify',
  'wrap',
  'wrap-with-trusted',
]);
/** Usage attributes that make no sense for a class (PKCS#11): refused at creation. */
const NOT_FOR_CLASS: Record<KeyRecord['keyClass'], readonly string[]> = {
  'public-key': ['sign', 'decrypt', 'unwrap', 'sensitive'],
  'private-key': ['verify', 'encrypt', 'wrap'],
  'secret-key': [],
};

/** `NAME=VALUE` words of `--attributes` and friends, checked against what creation allows for the class. */
export function parseCreationAttributes(
  words: readonly string[],
  keyClass: KeyRecord['keyClass'],
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    const name = eq > 0 ? word.slice(0, eq) : word;
    const raw = eq > 0 ? word.slice(eq + 1) : '';
    const [value] = attributeValues(name, raw);
    if (!SETTABLE_AT_CREATION.has(name) || (NOT_FOR_CLASS[keyClass].includes(name) && value === true))
      throw new HsmError('ERR_ATTRIBUTE_VALUE', { name, value: raw.slice(0, 64) });
    if (name === 'label') checkLabel(String(value));
    out[name] = value!;
  }
  return out;
}

export function checkLabel(label: string): string {
  if ([...label].length > MAX_LABEL_LENGTH)
    throw new HsmError('ERR_KEY_PARAMETERS', {
      detail: `a label has at most ${MAX_LABEL_LENGTH} characters`,
    });
  return label;
}

export interface NewKey {
  ref: number;
  keyType: DerivedKeyType;
  keyClass: KeyRecord['keyClass'];
  label: string;
  owner: string;
  shared: string[];
  manageQuorum: number;
  useQuorum: number;
  sessionId: number | null;
  /** PKCS#8 DER, SPKI DER or the secret's bytes, in clear (sealed by the caller before storing). */
  clear: Buffer;
  curve?: Curve | 'ed25519';
  /** Generated on this HSM (true) or imported / unwrapped (false). */
  local: boolean;
  given: Record<string, AttributeValue>;
}

/** The attribute object of a new key, in display order, with defaults, the caller's values and derived ones. */
export function buildAttributes(k: NewKey): Record<string, AttributeValue> {
  const secretish = k.keyClass !== 'public-key';
  const symmetric = k.keyClass === 'secret-key';
  const g = k.given;
  const extractable = (g.extractable as boolean | undefined) ?? true;
  const sensitive = (g.sensitive as boolean | undefined) ?? secretish;
  const derived = deriveAttributes({
    keyType: k.keyType,
    class: k.keyClass,
    material: k.clear,
    curve: k.curve,
  });
  const values: Record<string, AttributeValue> = {
    'key-type': k.keyType,
    label: k.label,
    id: (g.id as string | undefined) ?? '0x',
    'check-value': derived['check-value'],
    class: k.keyClass,
    encrypt: false,
    decrypt: false,
    token: k.sessionId === null,
    // Generated secret material that was sensitive from birth; unwrapped or imported material never was.
    'always-sensitive': secretish && k.local && sensitive,
    derive: false,
    destroyable: true,
    extractable,
    local: k.local,
    modifiable: true,
    'never-extractable': secretish && k.local && !extractable,
    private: true,
    sensitive,
    sign: symmetric,
    trusted: false,
    unwrap: false,
    verify: symmetric,
    wrap: false,
    'wrap-with-trusted': false,
    'key-length-bytes': derived['key-length-bytes'],
  };
  for (const [name, value] of Object.entries(g)) {
    if (name === 'token' || name === 'label') continue;
    values[name] = value;
  }
  const out: Record<string, AttributeValue> = {};
  for (const name of ATTRIBUTE_ORDER) {
    // Spec §2.5: ML-DSA keys show their algorithm between `private` and `sensitive`.
    if (name === 'sensitive' && derived['mldsa-algorithm'])
      out['mldsa-algorithm'] = derived['mldsa-algorithm'];
    out[name] = values[name]!;
  }
  const extra = k.keyType === 'rsa' ? RSA_ATTRIBUTES : k.keyType === 'ec' ? EC_ATTRIBUTES : [];
  for (const name of extra) {
    const v = (derived as unknown as Record<string, AttributeValue | undefined>)[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Quorum values on creation (spec §5, [T1]): both omitted (0/0), or both 2…8 and ≤ owner + shared users. */
export function checkKeyQuorum(
  manage: number | undefined,
  use: number | undefined,
  associated: number,
): { manageQuorum: number; useQuorum: number } {
  if (manage === undefined && use === undefined) return { manageQuorum: 0, useQuorum: 0 };
  if (manage === undefined || use === undefined || manage <= 1 || use <= 1)
    throw new HsmError('ERR_KEY_QUORUM_PAIR');
  if (
    !Number.isInteger(manage) ||
    !Number.isInteger(use) ||
    manage > 8 ||
    use > 8 ||
    manage > associated ||
    use > associated
  )
    throw new HsmError('ERR_KEY_QUORUM_INVALID');
  return { manageQuorum: manage, useQuorum: use };
}
