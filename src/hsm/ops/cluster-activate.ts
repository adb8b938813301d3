// cluster-activate: sets the initial admin's password and turns unactivated-admin into admin.
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { INITIAL_ADMIN } from '../../protocol/types.js';
import type { OpContext } from '../op-context.js';
import { hashPassword, verifyPassword } from '../password.js';
import { checkPassword } from '../rules.js';

export async function clusterActivate(
  ctx: OpContext,
  args: OpArgs<'cluster-activate'>,
): Promise<OpResult<'cluster-activate'>> {
  const password = checkPassword(args.password);
  const before = ctx.store.getUser(INITIAL_ADMIN);
  if (before?.role !== 'unactivated-admin') {
    // A re-run after a partial activation: this HSM is done if it took the same password.
    if (before && (await verifyPassword(password, before.passwordHash, ctx.node.kdf)))
      return { alreadyInEffect: true };
    throw new HsmError('ERR_CLUSTER_ALREADY_ACTIVE');
  }
  const hash = await hashPassword(password, ctx.node.kdf);
  ctx.store.transaction(() => {
    const admin = ctx.store.getUser(INITIAL_ADMIN);
    if (!admin || admin.role !== 'unactivated-admin') throw new HsmError('ERR_CLUSTER_ALREADY_ACTIVE');
    ctx.store.updateUser({ ...admin, role: 'admin', passwordHash: hash, failedLogins: 0, locked: false });
  });
  return {};
}
