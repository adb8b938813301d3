// quorum-set-timeout: an admin sets the generated or the approved token timeout (seconds).
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { isValidTokenTimeout } from '../../protocol/quorum.js';
import type { OpContext } from '../op-context.js';
import { setTokenTimeout } from '../quorum/settings.js';

export function quorumSetTimeout(
  ctx: OpContext,
  args: OpArgs<'quorum-set-timeout'>,
): OpResult<'quorum-set-timeout'> {
  const given = (['generated', 'approved'] as const).filter((k) => args[k] !== undefined);
  if (given.length !== 1)
    throw new HsmError('ERR_BAD_REQUEST', {
      detail: 'quorum-set-timeout: give exactly one of generated, approved',
    });
  const kind = given[0]!;
  const seconds = args[kind]!;
  if (!isValidTokenTimeout(seconds))
    throw new HsmError('ERR_QUORUM_TIMEOUT', { value: String(seconds).slice(0, 32) });
  ctx.store.transaction(() => setTokenTimeout(ctx.store, kind, seconds));
  return {};
}
