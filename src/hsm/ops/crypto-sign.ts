// crypto-sign: signs with a private key the caller owns or is shared with (the client hashes raw data where the
// mechanism allows; ed25519 and ml-dsa raw data come whole).
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireAttribute, requireMasking, requireUsableKey } from '../keys/key-rules.js';
import { checkMechanism, signWith } from '../keys/signing.js';
import type { OpContext } from '../op-context.js';
import { requireKeyQuorumApproval } from '../quorum/approval.js';
import { decodeBase64 } from '../keys/base64.js';

export function cryptoSign(ctx: OpContext, args: OpArgs<'crypto-sign'>): OpResult<'crypto-sign'> {
  const key = requireUsableKey(ctx, args.ref);
  if (key.keyClass !== 'private-key') throw new HsmError('ERR_KEY_ATTRIBUTE_REQUIRED', { name: 'sign' });
  requireAttribute(key, 'sign');
  checkMechanism(ctx.store, key, args);
  // A signature that needs approvals consumes a token: audited on every attempt, target the key's reference
  // (set by requireUsableKey); plain signatures are not audited (the hot path).
  if (key.useQuorum > 1) ctx.auditRead = true;
  const grant = requireKeyQuorumApproval(ctx, key, 'key-usage', args.approval);
  const masking = requireMasking(ctx);
  const signature = signWith(
    args,
    decodeBase64(args.digest, 'data'),
    () => masking.openPrivateKey(key.ref, key.material),
    () => masking.openMaterial(key.ref, key.material),
  );
  // Consumed only by a signature made: a refusal above leaves the token usable.
  grant.commit();
  return { signature: signature.toString('base64') };
}
