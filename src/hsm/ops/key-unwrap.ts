// key-unwrap: wrapped key data opened with a key the caller may use, stored as a new key the caller owns
// (`local=false`, `always-sensitive=false`, `never-extractable=false`; spec §10.1, §10.4).
import { materialForUnwrap } from '../../keys/material.js';
import { unwrapKey } from '../../keys/wrap.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { decodeBase64 } from '../keys/base64.js';
import { sealCopy } from '../keys/copies.js';
import { buildAttributes, checkKeyQuorum, checkLabel, parseCreationAttributes } from '../keys/create.js';
import { keyViewer, requireAttribute, requireMasking, requireUsableKey } from '../keys/key-rules.js';
import { requireKeyRoom } from '../keys/limits.js';
import { type KeyRecord, formatRef } from '../keys/record.js';
import { shareTargets } from '../keys/users.js';
import { keyView } from '../keys/view.js';
import { checkMechanismKey, wrapParams } from '../keys/wrap-params.js';
import type { OpContext } from '../op-context.js';
import { requireKeyQuorumApproval } from '../quorum/approval.js';

export function keyUnwrap(ctx: OpContext, args: OpArgs<'key-unwrap'>): OpResult<'key-unwrap'> {
  const viewer = keyViewer(ctx);
  const masking = requireMasking(ctx);
  // A refusal's audit entry names the unwrapping key (requireUsableKey sets it); a success's, the new key first.
  const unwrapping = requireUsableKey(ctx, args.ref);
  requireAttribute(unwrapping, 'unwrap');
  checkMechanismKey(args.mechanism, unwrapping, 'unwrap');
  // The unwrapping key's key-management quorum (our reading of §19.22: --approval is for the unwrapping key).
  const grant = requireKeyQuorumApproval(ctx, unwrapping, 'key-management', args.approval);
  // Every refusal that needs no material first: label, attributes, shares, quorum values, room.
  const keyClass = args.keyTypeClass.endsWith('-private') ? 'private-key' : 'secret-key';
  const label = checkLabel(args.label);
  const given = parseCreationAttributes(args.attributes ?? [], keyClass);
  const shared = shareTargets(ctx.store, viewer.username, args.share ?? []);
  const quorum = checkKeyQuorum(args.manageQuorum, args.useQuorum, 1 + shared.length);
  requireKeyRoom(ctx.store, [keyClass]);
  const params = wrapParams(args.mechanism, args);
  const wrapped = decodeBase64(args.wrapped, 'wrapped key data');

  const unwrappingKey = masking.openMaterial(unwrapping.ref, unwrapping.material);
  let clear: Buffer;
  try {
    clear = unwrapKey(args.mechanism, unwrappingKey, wrapped, params);
  } finally {
    unwrappingKey.fill(0);
  }
  const material = materialForUnwrap(args.keyTypeClass, clear);
  clear.fill(0);
  const sessionId = args.session ? ctx.session.id : null;
  const key = ctx.store.transaction(() => {
    requireKeyRoom(ctx.store, [material.class]);
    const ref = ctx.store.allocateKeyRef();
    const common = {
      ref,
      keyType: material.keyType,
      keyClass: material.class,
      label,
      owner: viewer.username,
      shared,
      manageQuorum: quorum.manageQuorum,
      useQuorum: quorum.useQuorum,
      sessionId,
    };
    const attributes = buildAttributes({
      ...common,
      clear: material.material,
      ...(material.curve ? { curve: material.curve } : {}),
      local: false,
      given,
    });
    const record: KeyRecord = {
      ...common,
      attributes,
      material: masking.sealMaterial(ref, material.material),
    };
    ctx.store.insertKey(record);
    grant.commit();
    // Set before the commit: the audit entry is written with it.
    ctx.auditTarget = `${formatRef(ref)} ${formatRef(unwrapping.ref)}`;
    return record;
  });
  material.material.fill(0);
  return {
    keys: [keyView(key, true)],
    copies: sessionId === null ? [sealCopy(masking, ctx.node.clusterId, key)] : [],
  };
}
