// The persisted quorum settings of one HSM: quorum value per service, token timeouts, and LocalHSM's policy switches
// (rows of the node settings table in src/hsm/settings.ts).
import type { AdminService } from '../../protocol/quorum.js';
import { quorumValueKey, readSetting, writeSetting } from '../settings.js';
import type { Store } from '../store/store.js';

const TIMEOUT_KEYS = { generated: 'quorum_timeout_generated', approved: 'quorum_timeout_approved' } as const;

export type TimeoutKind = keyof typeof TIMEOUT_KEYS;
export interface TokenTimeouts {
  generated: number;
  approved: number;
}

export function quorumValue(store: Store, service: AdminService): number {
  return readSetting(store, quorumValueKey(service));
}

export function setQuorumValue(store: Store, service: AdminService, value: number): void {
  writeSetting(store, quorumValueKey(service), value);
}

export function tokenTimeouts(store: Store): TokenTimeouts {
  return {
    generated: readSetting(store, TIMEOUT_KEYS.generated),
    approved: readSetting(store, TIMEOUT_KEYS.approved),
  };
}

export function setTokenTimeout(store: Store, kind: TimeoutKind, seconds: number): void {
  writeSetting(store, TIMEOUT_KEYS[kind], seconds);
}

/**
 * LocalHSM's quorum policy switches (cluster settings, one copy per HSM like every setting):
 * - selfApproval: the requester's own signature counts as one approval (CloudHSM's behaviour; default on).
 * - lockoutGuard: failed logins do not lock an approver when that would leave a service with
 *   fewer approvers than its quorum value; after the 5th failure each further password evaluation
 *   waits for a doubling delay instead (a guard the real product lacks; default off, as CloudHSM
 *   locks everyone after 5 failures).
 * - guard: a quorum value above the service's approvers, or deleting / deregistering a needed approver,
 *   is refused (unless --allow-unmanageable) instead of done with a warning (CloudHSM warns nothing and
 *   does it; default off).
 */
export interface QuorumPolicy {
  selfApproval: boolean;
  lockoutGuard: boolean;
  guard: boolean;
}

export function quorumPolicy(store: Store): QuorumPolicy {
  return {
    selfApproval: readSetting(store, 'quorum_self_approval'),
    lockoutGuard: readSetting(store, 'quorum_lockout_guard'),
    guard: readSetting(store, 'quorum_guard'),
  };
}

export function setQuorumPolicy(store: Store, change: Partial<QuorumPolicy>): void {
  if (change.selfApproval !== undefined) writeSetting(store, 'quorum_self_approval', change.selfApproval);
  if (change.lockoutGuard !== undefined) writeSetting(store, 'quorum_lockout_guard', change.lockoutGuard);
  if (change.guard !== undefined) writeSetting(store, 'quorum_guard', change.guard);
}
