// key-insert: stores a token key another HSM of the cluster created, from its sealed copy (client-side sync).
import { isDeepStrictEqual } from 'node:util';
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { openCopy } from '../keys/copies.js';
import { keyViewer, requireMasking, requireUsableKey } from '../keys/key-rules.js';
import { requireKeyRoom } from '../keys/limits.js';
import { type KeyRecord, formatRef } from '../keys/record.js';
import { keyView } from '../keys/view.js';
import type { OpContext } from '../op-context.js';
import { type QuorumGrant, requireKeyQuorumApproval } from '../quorum/approval.js';

export function keyInsert(ctx: OpContext, args: OpArgs<'key-insert'>): OpResult<'key-insert'> {
  const viewer = keyViewer(ctx);
  const masking = requireMasking(ctx);
  const key = openCopy(masking, ctx.node.clusterId, args.copy);
  ctx.auditTarget = formatRef(key.ref);
  // Only the owner carries a copy of a new key (so nobody else can bring back a key its owner deleted).
  if (key.owner !== viewer.username) throw new HsmError('ERR_KEY_NOT_OWNER');
  if (key.keyClass !== 'public-key') masking.openMaterial(key.ref, key.material);
  // The copy of a key unwrapped with an approval uses up this HSM's record of the token too, as a signature with
  // an approval does on every HSM, so the token cannot be presented again here.
  const grant: QuorumGrant | undefined =
    args.unwrappingRef === undefined
      ? undefined
      : requireKeyQuorumApproval(
          ctx,
          requireUsableKey(ctx, args.unwrappingRef),
          'key-management',
          args.approval,
        );
  // The entry names the key copied (requireUsableKey named the unwrapping key).
  ctx.auditTarget = formatRef(key.ref);
  return ctx.store.transaction(() => {
    // A copy of a key deleted here (its delete reached this HSM first) never brings it back.
    if (ctx.store.isTombstoned(key.ref))
      throw new HsmError('ERR_KEY_BLOB', { detail: 'the key was deleted on this HSM' });
    const existing = ctx.store.getKey(key.ref);
    if (existing) {
      if (!sameKey(existing, key, masking)) throw new HsmError('ERR_KEY_EXISTS', { ref: formatRef(key.ref) });
      grant?.commit();
      return { key: keyView(existing, true) };
    }
    requireKeyRoom(ctx.store, [key.keyClass]);
    ctx.store.insertKey(key);
    grant?.commit();
    return { key: keyView(key, true) };
  });
}

/** The same key object (a re-sent copy); sealed material differs by its IV, so it is compared opened. */
function sameKey(
  a: KeyRecord,
  b: KeyRecord,
  masking: { openMaterial(ref: number, m: Buffer): Buffer },
): boolean {
  // The version is not compared: a re-sent copy is the same key whatever changes it had since.
  const { material: ma, sessionId: sa, version: _va, ...ra } = a;
  const { material: mb, sessionId: sb, version: _vb, ...rb } = b;
  if (sa !== sb || !isDeepStrictEqual(ra, rb)) return false;
  return a.keyClass === 'public-key'
    ? ma.equals(mb)
    : masking.openMaterial(a.ref, ma).equals(masking.openMaterial(b.ref, mb));
}
