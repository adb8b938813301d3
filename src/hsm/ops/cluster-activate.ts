// cluster-activate: sets the initial admin's password and turns unactivated-admin into admin.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { INITIAL_ADMIN } from '../../protocol/types.js';
import type { OpContext } from '../op-context.js';
import { hashPassword } from '../password.js';
import { checkPassword } from '../rules.js';

export async function clusterActivate(
  ctx: OpContext,
  args: OpArgs<'cluster-activate'>,
): Promise<OpResult<'cluster-activate'>> {
  const password = checkPassword(args.password);
  const before = ctx.store.getUser(INITIAL_ADMIN);
  // An activated HSM compares no password (it would be an uncounted admin-password oracle open to anyone):
  // the same answer, at once, whatever the password. The CLI repairs a partial activation itself.
  if (before?.role !== 'unactivated-admin') throw new HsmError('ERR_CLUSTER_ALREADY_ACTIVE');
  const hash = await hashPassword(password, ctx.node.kdf);
  ctx.store.transaction(() => {
    const admin = ctx.store.getUser(INITIAL_ADMIN);
    if (!admin || admin.role !== 'unactivated-admin') throw new HsmError('ERR_CLUSTER_ALREADY_ACTIVE');
    ctx.store.updateUser({ ...admin, role: 'admin', passwordHash: hash, failedLogins: 0, locked: false });
  });
  return {};
}
