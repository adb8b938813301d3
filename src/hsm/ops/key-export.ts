// key-export: the file `key generate-file` writes: a public key's SPKI PEM, or a private key's reference PEM.
import { HsmError } from '../../errors.js';
import { publicFromPrivate } from '../../keys/material.js';
import { publicKeyPem, referencePem } from '../../keys/pem.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { requireMasking, requireOwnedKey } from '../keys/key-rules.js';
import { formatRef } from '../keys/record.js';
import type { OpContext } from '../op-context.js';

export function keyExport(ctx: OpContext, args: OpArgs<'key-export'>): OpResult<'key-export'> {
  const key = requireOwnedKey(ctx, args.ref);
  const refuse = () => new HsmError('ERR_KEY_ENCODING', { encoding: args.encoding, class: key.keyClass });
  if (args.encoding === 'pem') {
    if (key.keyClass !== 'public-key') throw refuse();
    return { pem: publicKeyPem(key.material) };
  }
  // An ed25519 or ML-DSA reference PEM has no layout a TLS library reads (docs/decisions.md).
  if (
    key.keyClass !== 'private-key' ||
    (key.keyType !== 'rsa' && key.keyType !== 'ec') ||
    key.attributes['curve'] === 'ed25519'
  )
    throw refuse();
  // Only the public half leaves; the file carries the reference in place of the private values.
  const publicDer = publicFromPrivate(requireMasking(ctx).openMaterial(key.ref, key.material));
  return { pem: referencePem({ keyType: key.keyType, publicDer }, formatRef(key.ref)) };
}
