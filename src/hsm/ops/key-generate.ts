// key-generate: a new RSA, EC (Ed25519 included) or ML-DSA pair, or an AES or generic secret key, owned by the
// caller; token keys come with sealed copies.
import { HsmError } from '../../errors.js';
import { generateEd25519Pair } from '../../keys/eddsa.js';
import { checkMlDsaAlgorithm, generateMlDsaPair } from '../../keys/ml-dsa.js';
import {
  type KeyPairMaterial,
  checkCurve,
  checkRsaParameters,
  checkSecretLength,
  generateEcPair,
  generateRsaPair,
  generateSecret,
} from '../../keys/material.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { buildAttributes, checkKeyQuorum, checkLabel, parseCreationAttributes } from '../keys/create.js';
import { sealCopy } from '../keys/copies.js';
import { keyViewer, requireMasking } from '../keys/key-rules.js';
import { requireKeyRoom } from '../keys/limits.js';
import { requireFeature } from '../keys/mechanisms.js';
import type { KeyRecord } from '../keys/record.js';
import { shareTargets } from '../keys/users.js';
import { keyView } from '../keys/view.js';
import type { OpContext } from '../op-context.js';

type Part = {
  keyClass: KeyRecord['keyClass'];
  label: string;
  given: ReturnType<typeof parseCreationAttributes>;
};

const required = <T>(value: T | undefined, name: string): T => {
  if (value === undefined) throw new HsmError('ERR_KEY_PARAMETERS', { detail: `${name} is required` });
  return value;
};

export async function keyGenerate(
  ctx: OpContext,
  args: OpArgs<'key-generate'>,
): Promise<OpResult<'key-generate'>> {
  const viewer = keyViewer(ctx);
  const masking = requireMasking(ctx);
  const sessionId = args.session ? ctx.session.id : null;
  const pair = args.type === 'rsa' || args.type === 'ec' || args.type === 'ml-dsa';
  // Every refusal before the (slow) generation: parameters, attributes, shares, quorum values, room.
  const parts: Part[] = pair
    ? [
        {
          keyClass: 'public-key',
          label: checkLabel(required(args.publicLabel, 'public-label')),
          given: parseCreationAttributes(args.publicAttributes ?? [], 'public-key'),
        },
        {
          keyClass: 'private-key',
          label: checkLabel(required(args.privateLabel, 'private-label')),
          given: parseCreationAttributes(args.privateAttributes ?? [], 'private-key'),
        },
      ]
    : [
        {
          keyClass: 'secret-key',
          label: checkLabel(required(args.label, 'label')),
          given: parseCreationAttributes(args.attributes ?? [], 'secret-key'),
        },
      ];
  if (args.type === 'rsa')
    checkRsaParameters(
      required(args.modulusBits, 'modulus-size-bits'),
      required(args.publicExponent, 'public-exponent'),
    );
  const ed25519 = args.type === 'ec' && args.curve === 'ed25519';
  if (ed25519) requireFeature(ctx.store, 'ed25519');
  else if (args.type === 'ec') checkCurve(required(args.curve, 'curve'));
  if (args.type === 'ml-dsa') {
    requireFeature(ctx.store, 'ml-dsa');
    checkMlDsaAlgorithm(required(args.mldsaAlgorithm, 'mldsa-algorithm'));
  }
  if (args.type === 'aes' || args.type === 'generic-secret')
    checkSecretLength(args.type, required(args.keyLengthBytes, 'key-length-bytes'));
  const shared = shareTargets(ctx.store, viewer.username, args.share ?? []);
  const quorum = checkKeyQuorum(args.manageQuorum, args.useQuorum, 1 + shared.length);
  const classes = parts.map((p) => p.keyClass);
  requireKeyRoom(ctx.store, classes);

  let clear: Buffer[];
  if (pair) {
    const m: KeyPairMaterial =
      args.type === 'rsa'
        ? await generateRsaPair(args.modulusBits!, args.publicExponent!)
        : args.type === 'ml-dsa'
          ? generateMlDsaPair(args.mldsaAlgorithm!)
          : ed25519
            ? generateEd25519Pair()
            : generateEcPair(args.curve!);
    clear = [m.publicDer, m.privateDer];
  } else clear = [generateSecret(args.type as 'aes' | 'generic-secret', args.keyLengthBytes!)];

  const keys = ctx.store.transaction(() => {
    // Again inside the transaction: other creations may have taken the room while this key was generated.
    requireKeyRoom(ctx.store, classes);
    const made = parts.map((part, i): KeyRecord => {
      const ref = ctx.store.allocateKeyRef();
      // Shares and quorum values apply to the private key of a pair (spec §2.3).
      const isPublic = part.keyClass === 'public-key';
      const attributes = buildAttributes({
        ref,
        keyType: args.type,
        keyClass: part.keyClass,
        label: part.label,
        owner: viewer.username,
        shared: isPublic ? [] : shared,
        manageQuorum: isPublic ? 0 : quorum.manageQuorum,
        useQuorum: isPublic ? 0 : quorum.useQuorum,
        sessionId,
        clear: clear[i]!,
        ...(args.type === 'ec' ? { curve: args.curve as never } : {}),
        local: true,
        given: part.given,
      });
      const key: KeyRecord = {
        ref,
        keyType: args.type,
        keyClass: part.keyClass,
        label: part.label,
        owner: viewer.username,
        shared: isPublic ? [] : shared,
        manageQuorum: isPublic ? 0 : quorum.manageQuorum,
        useQuorum: isPublic ? 0 : quorum.useQuorum,
        sessionId,
        attributes,
        material: isPublic ? clear[i]! : masking.sealMaterial(ref, clear[i]!),
      };
      ctx.store.insertKey(key);
      return key;
    });
    // Set before the commit: the audit entry is written with it.
    ctx.auditTarget = made.map((k) => keyView(k, false).ref).join(' ');
    return made;
  });
  return {
    keys: keys.map((k) => keyView(k, true)),
    copies: sessionId === null ? keys.map((k) => sealCopy(masking, ctx.node.clusterId, k)) : [],
  };
}
