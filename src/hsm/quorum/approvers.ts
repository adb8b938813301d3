// Who may approve a service's quorum tokens, and the guards that keep enough of them (LocalHSM additions, spec §3.2/§8).
import { HsmError } from '../../errors.js';
import { ADMIN_SERVICES, type AdminService } from '../../protocol/quorum.js';
import type { Store, UserRecord } from '../store/store.js';
import { quorumPolicy, quorumValue } from './settings.js';

/**
 * An approver of an admin service: an admin with a registered quorum key who is not locked
 * (ours: a locked user's signature does not count, so locking one out removes an approver).
 */
export function isApprover(user: UserRecord | undefined, _service: AdminService): boolean {
  return user !== undefined && user.role === 'admin' && user.quorumPublicKey !== null && !user.locked;
}

export function approversOf(store: Store, service: AdminService, except?: string): string[] {
  return store
    .listUsers()
    .filter((u) => u.username !== except && isApprover(u, service))
    .map((u) => u.username);
}

const approverWord = (n: number) => (n === 1 ? 'approver' : 'approvers');

/**
 * The first service that would be left with fewer approvers than its quorum value if `username`
 * stopped being an approver; undefined when none would (or the user is no approver).
 */
export function serviceLeftShort(
  store: Store,
  username: string,
): { service: AdminService; remaining: number; needed: number } | undefined {
  const user = store.getUser(username);
  for (const service of ADMIN_SERVICES) {
    const needed = quorumValue(store, service);
    if (needed <= 1 || !isApprover(user, service)) continue;
    const remaining = approversOf(store, service, username).length;
    if (remaining < needed) return { service, remaining, needed };
  }
  return undefined;
}

/** Refuses to delete or deregister an approver when a service would be left unmanageable, unless overridden. */
export function guardApproverRemoval(
  store: Store,
  username: string,
  action: 'delete' | 'deregister',
  override: boolean | undefined,
): void {
  if (override) return;
  const short = serviceLeftShort(store, username);
  if (!short) return;
  throw new HsmError('ERR_QUORUM_GUARD_REMOVE', {
    action: action === 'delete' ? 'deleting' : 'deregistering the quorum key of',
    username,
    remaining: short.remaining,
    approvers: approverWord(short.remaining),
    service: short.service,
    needed: short.needed,
  });
}

/** Whether failed logins may lock `username` (false when the lock-out guard protects a needed approver). */
export function mayLockOut(store: Store, username: string): boolean {
  if (!quorumPolicy(store).lockoutGuard) return true;
  return serviceLeftShort(store, username) === undefined;
}

/** Refuses a quorum value higher than the number of users who could approve the service, unless overridden. */
export function guardQuorumValue(
  store: Store,
  service: AdminService,
  value: number,
  override: boolean | undefined,
): void {
  if (override || value <= 1) return;
  const available = approversOf(store, service).length;
  if (value > available) {
    throw new HsmError('ERR_QUORUM_GUARD_VALUE', {
      service,
      value,
      available,
      approvers: approverWord(available),
    });
  }
}
