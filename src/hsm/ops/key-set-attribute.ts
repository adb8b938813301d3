// key-set-attribute: the owner changes one attribute (settable, one-way and read-only rules); an admin sets `trusted` only.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { checkLabel } from '../keys/create.js';
import { attributeValues } from '../keys/filter.js';
import { requireVisibleKey } from '../keys/key-rules.js';
import { sealCopy } from '../keys/copies.js';
import type { AttributeValue, KeyRecord } from '../keys/record.js';
import type { OpContext } from '../op-context.js';
import { requireKeyQuorumApproval } from '../quorum/approval.js';

/** Attributes the owner may set to either value (spec §2.6 column M; `id` and `derive` as on hsm2m.medium). */
const FREE = new Set([
  'label',
  'id',
  'encrypt',
  'decrypt',
  'derive',
  'destroyable',
  'sign',
  'verify',
  'wrap',
  'unwrap',
]);
/** One-way attributes: the only change allowed, as [from, to]. */
const ONE_WAY: Record<string, [boolean, boolean]> = {
  modifiable: [true, false],
  token: [false, true],
  extractable: [true, false],
  sensitive: [false, true],
  'wrap-with-trusted': [false, true],
};
/** Usage attributes a class cannot have (as at creation). */
const NOT_FOR_CLASS: Record<KeyRecord['keyClass'], readonly string[]> = {
  'public-key': ['sign', 'decrypt', 'unwrap'],
  'private-key': ['verify', 'encrypt', 'wrap'],
  'secret-key': [],
};

export function keySetAttribute(
  ctx: OpContext,
  args: OpArgs<'key-set-attribute'>,
): OpResult<'key-set-attribute'> {
  return ctx.store.transaction(() => {
    const { key, viewer } = requireVisibleKey(ctx, args.ref);
    const name = args.name;
    const [value] = attributeValues(name, args.value);
    const refuse = () => new HsmError('ERR_ATTRIBUTE_VALUE', { name, value: args.value.slice(0, 64) });
    if (viewer.role === 'admin') {
      if (name !== 'trusted')
        throw new HsmError('ERR_PERMISSION_DENIED', {
          role: 'admin',
          action: `set the key attribute ${name}`,
        });
    } else {
      if (key.owner !== viewer.username) throw new HsmError('ERR_KEY_NOT_OWNER');
      if (name === 'trusted') throw refuse();
    }
    const current = key.attributes[name];
    if (current === undefined) throw refuse();
    if (current === value) return {};
    if (key.attributes.modifiable === false && name !== 'trusted') throw refuse();
    const oneWay = ONE_WAY[name];
    const allowed =
      name === 'trusted' ||
      (FREE.has(name) && !(NOT_FOR_CLASS[key.keyClass].includes(name) && value === true)) ||
      (oneWay !== undefined && current === oneWay[0] && value === oneWay[1]);
    if (!allowed) throw refuse();
    // An admin setting `trusted` is not a key-management operation of the key's users: no key quorum.
    const grant =
      viewer.role === 'admin'
        ? undefined
        : requireKeyQuorumApproval(ctx, key, 'key-management', args.approval);
    const attributes: Record<string, AttributeValue> = { ...key.attributes, [name]: value! };
    const changed: KeyRecord = { ...key, attributes };
    if (name === 'label') changed.label = checkLabel(String(value));
    // A session key made a token key outlives its session and is synchronised as any token key: the client
    // carries its sealed copy to the other HSMs at once (as after a create); server-side sync would later.
    if (name === 'token') changed.sessionId = null;
    ctx.store.updateKey(changed);
    grant?.commit();
    if (name !== 'token') return {};
    const masking = ctx.node.masking;
    return masking ? { copy: sealCopy(masking, ctx.node.clusterId, ctx.store.getKey(key.ref)!) } : {};
  });
}
