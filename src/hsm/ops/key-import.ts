// key-import: imports a public key (SPKI PEM) owned by the caller, `local=false`, with its sealed copy.
import { parsePublicKeyPem } from '../../keys/pem.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { sealCopy } from '../keys/copies.js';
import { buildAttributes, checkLabel, parseCreationAttributes } from '../keys/create.js';
import { keyViewer, requireMasking } from '../keys/key-rules.js';
import { requireKeyRoom } from '../keys/limits.js';
import { requireFeature } from '../keys/mechanisms.js';
import type { KeyRecord } from '../keys/record.js';
import { keyView } from '../keys/view.js';
import type { OpContext } from '../op-context.js';

export function keyImport(ctx: OpContext, args: OpArgs<'key-import'>): OpResult<'key-import'> {
  const viewer = keyViewer(ctx);
  const masking = requireMasking(ctx);
  const label = checkLabel(args.label);
  const given = parseCreationAttributes(args.attributes ?? [], 'public-key');
  const imported = parsePublicKeyPem(args.pem, args.keyTypeClass);
  if (imported.curve === 'ed25519') requireFeature(ctx.store, 'ed25519');
  const key = ctx.store.transaction(() => {
    requireKeyRoom(ctx.store, ['public-key']);
    const ref = ctx.store.allocateKeyRef();
    const common = {
      ref,
      keyType: imported.keyType,
      keyClass: 'public-key' as const,
      label,
      owner: viewer.username,
      shared: [],
      manageQuorum: 0,
      useQuorum: 0,
      sessionId: null,
    };
    const attributes = buildAttributes({
      ...common,
      clear: imported.publicDer,
      ...(imported.curve ? { curve: imported.curve } : {}),
      local: false,
      given,
    });
    const record: KeyRecord = { ...common, attributes, material: imported.publicDer };
    ctx.store.insertKey(record);
    ctx.auditTarget = keyView(record, false).ref;
    return record;
  });
  return { keys: [keyView(key, true)], copies: [sealCopy(masking, ctx.node.clusterId, key)] };
}
