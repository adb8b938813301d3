// key-replicate-challenge: the destination HSM's single-use challenge that a source HSM seals a key to.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { mfaTokenSeconds } from '../challenge.js';
import { requireMasking } from '../keys/key-rules.js';
import { formatRef, parseRef } from '../keys/record.js';
import type { OpContext } from '../op-context.js';
import { cloneFamilyKey } from '../replicate-seal.js';
import { requireLogin } from '../rules.js';

export function keyReplicateChallenge(
  ctx: OpContext,
  args: OpArgs<'key-replicate-challenge'>,
): OpResult<'key-replicate-challenge'> {
  const actor = requireLogin(ctx.session);
  const ref = parseRef(args.ref);
  if (ref === undefined || ref <= 0) throw new HsmError('ERR_KEY_SELECTION', { count: 0 });
  ctx.auditTarget = formatRef(ref);
  cloneFamilyKey(ctx.store);
  requireMasking(ctx);
  // A key already under this reference is compared at import (an identical one is a success, as a re-run).
  const challenge = ctx.node.challenges.issue(
    ctx.session,
    'key-replicate',
    formatRef(ref),
    { actor },
    ctx.node.clock.now(),
    mfaTokenSeconds(ctx.store),
  );
  return { challenge: challenge.key };
}
