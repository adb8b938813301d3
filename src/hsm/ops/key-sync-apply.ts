// key-sync-apply: the appliance user stores key copies this HSM missed, replaces keys by newer versions (changes made
// while this HSM was away) and deletes keys deleted elsewhere.
import { isDeepStrictEqual } from 'node:util';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { applianceMessage, requireAppliance } from '../keys/appliance.js';
import { openCopy } from '../keys/copies.js';
import { requireMasking } from '../keys/key-rules.js';
import { hasKeyRoom } from '../keys/limits.js';
import { keyState, newerState } from '../keys/version.js';
import type { OpContext } from '../op-context.js';

export function keySyncApply(ctx: OpContext, args: OpArgs<'key-sync-apply'>): OpResult<'key-sync-apply'> {
  const masking = requireMasking(ctx);
  requireAppliance(masking, applianceMessage('key-sync-apply', ctx.node.hsmId, args), args.proof);
  // Opened before the transaction: a copy that does not open under this cluster's key refuses the whole request.
  const keys = args.copies.map((copy) => openCopy(masking, ctx.node.clusterId, copy));
  ctx.auditTarget = `${keys.length} copies, ${args.tombstones.length} deletions`;
  return ctx.store.transaction(() => {
    let deleted = 0;
    for (const ref of args.tombstones) {
      const key = ctx.store.getKey(ref);
      if (key && key.sessionId !== null) continue;
      if (key) deleted++;
      if (key || !ctx.store.isTombstoned(ref)) ctx.store.tombstoneKey(ref);
    }
    let inserted = 0;
    let updated = 0;
    const conflicts: number[] = [];
    for (const key of keys) {
      if (ctx.store.isTombstoned(key.ref)) continue;
      const existing = ctx.store.getKey(key.ref);
      if (existing) {
        // A different key under the same reference (two HSMs allocated it while apart): left for a person.
        if (
          existing.sessionId !== null ||
          existing.owner !== key.owner ||
          existing.keyType !== key.keyType ||
          existing.keyClass !== key.keyClass ||
          !isDeepStrictEqual(existing.attributes['check-value'], key.attributes['check-value'])
        )
          conflicts.push(key.ref);
        // The same key, changed on another HSM while this one was away: the newer version wins everywhere. The
        // material is the same key's; this HSM keeps its own sealed bytes.
        else if (newerState(keyState(key), keyState(existing))) {
          ctx.store.replaceKey({ ...key, material: existing.material, sessionId: null });
          updated++;
        }
        continue;
      }
      // A full HSM takes what still fits (a secret key may fit where an asymmetric one does not).
      if (!hasKeyRoom(ctx.store, [key.keyClass])) continue;
      ctx.store.insertKey(key);
      inserted++;
    }
    return { inserted, updated, deleted, conflicts };
  });
}
