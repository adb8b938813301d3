// key-list: one page of the keys the caller may see that match a filter, in ascending reference order.
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { parseFilter } from '../keys/filter.js';
import { keyViewer } from '../keys/key-rules.js';
import { keyView } from '../keys/view.js';
import type { OpContext } from '../op-context.js';

export function keyList(ctx: OpContext, args: OpArgs<'key-list'>): OpResult<'key-list'> {
  const viewer = keyViewer(ctx);
  const conditions = parseFilter(args.filter);
  const { keys, total } = ctx.store.findKeys(viewer, conditions, {
    limit: args.maxItems,
    offset: args.offset,
  });
  // "This flag when used by Admins has no effect": admins get references and labels only.
  const verbose = args.verbose && viewer.role !== 'admin';
  return { keys: keys.map((k) => keyView(k, verbose)), total };
}
