// The appliance user of server-side key sync (spec §14.1): proves it holds the cluster's masking key, moves sealed
// key copies and deletions between HSMs, and can neither read nor use a key.
import crypto from 'node:crypto';
import { HsmError } from '../../errors.js';
import type { Masking } from './masking.js';

/** What a sync request's proof covers: the operation, the HSM it is meant for and its arguments. */
export function applianceMessage(
  op: 'key-sync-list' | 'key-sync-copy' | 'key-sync-apply',
  hsmId: string,
  args: { refs?: readonly number[]; tombstones?: readonly number[]; copies?: readonly string[] },
): string {
  const copies = crypto
    .createHash('sha256')
    .update((args.copies ?? []).join('\n'))
    .digest('hex');
  return [op, hsmId, (args.refs ?? []).join(','), (args.tombstones ?? []).join(','), copies].join(' ');
}

/** Refuses a request whose proof was not made with this cluster's masking key (a client login cannot make one). */
export function requireAppliance(masking: Masking, message: string, proof: string): void {
  const want = Buffer.from(masking.applianceProof(message));
  const got = Buffer.from(proof);
  if (want.length !== got.length || !crypto.timingSafeEqual(want, got))
    throw new HsmError('ERR_KEY_BLOB', {
      detail: 'the sync request was not made by the appliance of this cluster',
    });
}
