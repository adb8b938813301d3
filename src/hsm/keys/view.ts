// A stored key as the wire shows it: verbose (every member) or the reference and label only.
import type { KeyView } from '../../protocol/keys.js';
import { type KeyRecord, formatRef } from './record.js';

export function keyView(key: KeyRecord, verbose: boolean): KeyView {
  const base = { ref: formatRef(key.ref), label: key.label, session: key.sessionId !== null };
  if (!verbose) return base;
  return {
    ...base,
    owner: key.owner,
    shared: [...key.shared],
    manageQuorum: key.manageQuorum,
    useQuorum: key.useQuorum,
    attributes: { ...key.attributes },
  };
}
