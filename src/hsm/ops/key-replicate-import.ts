// key-replicate-import: the destination HSM stores a key from a seal that only a clone of its cluster can make.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { clearMaterial, keyDigest, openKey } from '../keys/key-seal.js';
import { requireMasking } from '../keys/key-rules.js';
import { requireKeyRoom } from '../keys/limits.js';
import { type KeyRecord, formatRef, parseRef } from '../keys/record.js';
import { keyView } from '../keys/view.js';
import type { OpContext } from '../op-context.js';
import { cloneFamilyKey } from '../replicate-seal.js';
import { requireLogin } from '../rules.js';
import type { Store } from '../store/store.js';

export function keyReplicateImport(
  ctx: OpContext,
  args: OpArgs<'key-replicate-import'>,
): OpResult<'key-replicate-import'> {
  const actor = requireLogin(ctx.session);
  const ref = parseRef(args.ref);
  if (ref === undefined || ref <= 0) throw new HsmError('ERR_KEY_SELECTION', { count: 0 });
  ctx.auditTarget = formatRef(ref);
  const familyKey = cloneFamilyKey(ctx.store);
  const masking = requireMasking(ctx);
  const challenges = ctx.node.challenges;
  const challenge = challenges.take(args.challenge, ctx.session, 'key-replicate', ctx.node.clock.now());
  // One chance per challenge, whatever happens next: a refused seal cannot be retried against it.
  challenges.remove(challenge);
  const { actor: asker } = challenge.pending;
  if (actor.username !== asker.username || actor.role !== asker.role || challenge.username !== formatRef(ref))
    throw new HsmError('ERR_TOKEN_UNKNOWN');
  // The client only carries the seal: material, an owner or attributes it made up, or a seal of an unrelated
  // cluster, another destination, challenge or reference, does not open.
  const key = openKey(familyKey, args.sealed, {
    destinationClusterId: ctx.node.clusterId,
    challenge: args.challenge,
    ref,
  });
  if (!key) throw new HsmError('ERR_KEY_NOT_CLONES');
  if (actor.role === 'crypto-user' && key.owner !== actor.username) throw new HsmError('ERR_KEY_NOT_OWNER');
  requireCryptoUsers(ctx.store, [key.owner, ...key.shared]);
  try {
    clearMaterial(masking, key);
  } catch {
    throw new HsmError('ERR_KEY_BLOB', {
      detail: "its material is not masked under this cluster's masking key",
    });
  }
  return ctx.store.transaction(() => {
    // A reference deleted here is never reused, even by the key that had it.
    if (ctx.store.isTombstoned(ref)) throw new HsmError('ERR_KEY_EXISTS', { ref: formatRef(ref) });
    const existing = ctx.store.getKey(ref);
    if (existing) {
      if (!sameKey(existing, key, (k) => keyDigest(familyKey, masking, k)))
        throw new HsmError('ERR_KEY_EXISTS', { ref: formatRef(ref) });
      return { key: keyView(existing, true), alreadyInEffect: true };
    }
    requireKeyRoom(ctx.store, [key.keyClass]);
    ctx.store.insertKey(key);
    return { key: keyView(key, true) };
  });
}

/** The owner and every shared user must be crypto users here (spec §11), or the copy would name strangers. */
function requireCryptoUsers(store: Store, usernames: readonly string[]): void {
  for (const username of usernames) {
    const user = store.getUser(username);
    if (!user || user.role !== 'crypto-user') throw new HsmError('ERR_USER_NOT_FOUND', { username });
  }
}

/** A token key identical in every member (material compared opened); a session key under the ref is not. */
function sameKey(existing: KeyRecord, incoming: KeyRecord, digest: (k: KeyRecord) => string): boolean {
  return existing.sessionId === null && digest(existing) === digest(incoming);
}
