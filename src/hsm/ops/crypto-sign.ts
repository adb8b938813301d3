// crypto-sign: signs a digest with a private key the caller owns or is shared with (the client hashes raw data).
import { HsmError } from '../../errors.js';
import { type MgfName, signData } from '../../keys/sign.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireAttribute, requireMasking, requireUsableKey } from '../keys/key-rules.js';
import type { OpContext } from '../op-context.js';
import { requireKeyQuorumApproval } from '../quorum/approval.js';
import { decodeBase64 } from '../keys/base64.js';

export function cryptoSign(ctx: OpContext, args: OpArgs<'crypto-sign'>): OpResult<'crypto-sign'> {
  const key = requireUsableKey(ctx, args.ref);
  if (key.keyClass !== 'private-key') throw new HsmError('ERR_KEY_ATTRIBUTE_REQUIRED', { name: 'sign' });
  requireAttribute(key, 'sign');
  const expected = args.mechanism === 'ecdsa' ? 'ec' : 'rsa';
  if (key.keyType !== expected)
    throw new HsmError('ERR_KEY_MECHANISM', {
      detail: `${args.mechanism} needs an ${expected} key, not ${key.keyType}`,
    });
  // A signature that needs approvals consumes a token: audited on every attempt, target the key's reference
  // (set by requireUsableKey); plain signatures are not audited (the hot path).
  if (key.useQuorum > 1) ctx.auditRead = true;
  const grant = requireKeyQuorumApproval(ctx, key, 'key-usage', args.approval);
  const privateKey = requireMasking(ctx).openPrivateKey(key.ref, key.material);
  const signature = signData(
    {
      mechanism: args.mechanism,
      hash: args.hash,
      dataType: 'digest',
      ...(args.mgf ? { mgf: args.mgf as MgfName } : {}),
      ...(args.saltLength !== undefined ? { saltLength: args.saltLength } : {}),
    },
    privateKey,
    decodeBase64(args.digest, 'data'),
  );
  // Consumed only by a signature made: a refusal above leaves the token usable.
  grant.commit();
  return { signature: signature.toString('base64') };
}
