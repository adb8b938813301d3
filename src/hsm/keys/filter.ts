// Key filters (`--filter attr.NAME=VALUE key-reference=0x…`): parsed and normalised on the node, matched by the store.
import { HsmError } from '../../errors.js';
import { ATTRIBUTE_TYPES, type AttributeValue, type KeyRecord, parseRef } from './record.js';

/** One filter word, normalised: the key matches when its value is one of `values` (ANDed with the others). */
export type KeyCondition =
  { kind: 'ref'; ref: number } | { kind: 'attr'; name: string; values: AttributeValue[] };

const CURVE_ALIASES: Record<string, string[]> = {
  prime256v1: ['prime256v1', 'secp256r1'],
  secp256r1: ['prime256v1', 'secp256r1'],
};

/** Parses filter words (spec §3.2/§3.4); an unknown attribute or a bad value is refused. */
export function parseFilter(words: readonly string[]): KeyCondition[] {
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new HsmError('ERR_KEY_FILTER', { word: word.slice(0, 64) });
    const left = word.slice(0, eq);
    const value = unquote(word.slice(eq + 1));
    if (left === 'key-reference' || left === 'attr.key-reference') {
      const ref = parseRef(value);
      if (ref === undefined) throw new HsmError('ERR_KEY_FILTER', { word: word.slice(0, 64) });
      return { kind: 'ref', ref };
    }
    if (!left.startsWith('attr.')) throw new HsmError('ERR_KEY_FILTER', { word: word.slice(0, 64) });
    const name = left.slice(5);
    return { kind: 'attr', name, values: attributeValues(name, value) };
  });
}

function unquote(v: string): string {
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0] ? v.slice(1, -1) : v;
}

/** The stored values an input value of `name` stands for (hex in lower case, curve aliases, raw or DER ec-point). */
export function attributeValues(name: string, value: string): AttributeValue[] {
  const type = ATTRIBUTE_TYPES[name];
  if (!type) throw new HsmError('ERR_ATTRIBUTE_UNKNOWN', { name: name.slice(0, 64) });
  switch (type) {
    case 'bool': {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false')
        throw new HsmError('ERR_ATTRIBUTE_VALUE', { name, value: value.slice(0, 64) });
      return [v === 'true'];
    }
    case 'number': {
      if (!/^[0-9]{1,9}$/.test(value))
        throw new HsmError('ERR_ATTRIBUTE_VALUE', { name, value: value.slice(0, 64) });
      return [Number(value)];
    }
    case 'hex': {
      const v = value.toLowerCase();
      if (name === 'ec-point' && /^0x04[0-9a-f]*$/.test(v)) {
        // Accept the raw point as well as the DER OCTET STRING the HSM prints (spec §2.7).
        const raw = v.slice(2);
        const len = raw.length / 2;
        if (len < 128) return [v, '0x04' + len.toString(16).padStart(2, '0') + raw];
        return [v];
      }
      return [v === '' ? '0x' : v];
    }
    case 'string':
      return name === 'curve' ? (CURVE_ALIASES[value] ?? [value]) : [value];
  }
}

/** Whether `key` matches every condition (the memory store; SQLite runs the same test in SQL). */
export function matches(key: KeyRecord, conditions: readonly KeyCondition[]): boolean {
  return conditions.every((c) =>
    c.kind === 'ref' ? key.ref === c.ref : c.values.some((v) => key.attributes[c.name] === v),
  );
}

/** Who is looking: visibility rules of spec §2.3. */
export interface KeyViewer {
  username: string;
  role: 'admin' | 'crypto-user';
  sessionId: number;
}

/**
 * Crypto users see keys they own, keys shared with them and every public key; admins see every
 * token key (references and labels only, decided in docs/decisions.md). Session keys: only their session.
 */
export function isVisible(key: KeyRecord, viewer: KeyViewer): boolean {
  if (key.sessionId !== null && key.sessionId !== viewer.sessionId) return false;
  if (viewer.role === 'admin') return key.sessionId === null;
  return (
    key.owner === viewer.username || key.keyClass === 'public-key' || key.shared.includes(viewer.username)
  );
}
