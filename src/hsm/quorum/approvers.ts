// Who may approve a service's quorum tokens, and the guards that keep enough of them (LocalHSM additions, spec §3.2/§8).
import { HsmError } from '../../errors.js';
import { ADMIN_SERVICES, type AdminService } from '../../protocol/quorum.js';
import type { KeyRecord } from '../keys/record.js';
import type { Store, UserRecord } from '../store/store.js';
import { quorumPolicy, quorumValue } from './settings.js';

/**
 * An approver of an admin service: an admin with a registered quorum key who is not locked
 * (ours: a locked user's signature does not count, so locking one out removes an approver).
 */
export function isApprover(user: UserRecord | undefined, _service: AdminService): boolean {
  return user !== undefined && user.role === 'admin' && user.quorumPublicKey !== null && !user.locked;
}

/**
 * An approver of a key's quorum tokens (spec §13, our reading of §19.22): one of the key's associated
 * users — its owner or a crypto user it is shared with — with a registered quorum key who is not locked.
 * The key's quorum values are bounded by this same set, so M approvers always exist when registered.
 */
export function isKeyApprover(user: UserRecord | undefined, key: KeyRecord): boolean {
  return (
    user !== undefined &&
    user.role === 'crypto-user' &&
    (key.owner === user.username || key.shared.includes(user.username)) &&
    user.quorumPublicKey !== null &&
    !user.locked
  );
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

/**
 * Deleting or deregistering an approver that leaves a service short: by default done, with a warning
 * (returned for the client to print, as CloudHSM does it silently); refused when the cluster's quorum
 * guard policy is on, unless overridden.
 */
export function guardApproverRemoval(
  store: Store,
  username: string,
  action: 'delete' | 'deregister',
  override: boolean | undefined,
): string | undefined {
  const short = serviceLeftShort(store, username);
  if (!short) return undefined;
  const params = {
    action: action === 'delete' ? 'deleting' : 'deregistering the quorum key of',
    username,
    remaining: short.remaining,
    approvers: approverWord(short.remaining),
    service: short.service,
    needed: short.needed,
  };
  if (quorumPolicy(store).guard && !override) throw new HsmError('ERR_QUORUM_GUARD_REMOVE', params);
  return `warning: ${params.action} ${username} leaves ${short.remaining} quorum ${params.approvers} for service ${short.service}, which needs ${short.needed}: its operations cannot be approved until more admins register a quorum key`;
}

/** Whether failed logins may lock `username` (false when the lock-out guard protects a needed approver). */
export function mayLockOut(store: Store, username: string): boolean {
  if (!quorumPolicy(store).lockoutGuard) return true;
  return serviceLeftShort(store, username) === undefined;
}

/**
 * A quorum value higher than the number of users who could approve the service: by default set, with a
 * warning (returned for the client to print); refused when the quorum guard policy is on, unless overridden.
 */
export function guardQuorumValue(
  store: Store,
  service: AdminService,
  value: number,
  override: boolean | undefined,
  refuse = quorumPolicy(store).guard,
): string | undefined {
  if (value <= 1) return undefined;
  const available = approversOf(store, service).length;
  if (value <= available) return undefined;
  const params = { service, value, available, approvers: approverWord(available) };
  if (refuse && !override) throw new HsmError('ERR_QUORUM_GUARD_VALUE', params);
  return `warning: a quorum value of ${value} for service ${service} needs ${value} quorum approvers, but only ${available} ${params.approvers} can approve it: its operations cannot be approved until more admins register a quorum key`;
}
