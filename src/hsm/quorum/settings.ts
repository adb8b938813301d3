// The persisted quorum settings of one HSM: quorum value per service, token timeouts, and LocalHSM's policy switches.
import {
  type AdminService,
  DEFAULT_TOKEN_TIMEOUT_SECONDS,
  isValidQuorumValue,
  isValidTokenTimeout,
} from '../../protocol/quorum.js';
import type { Store } from '../store/store.js';

const valueKey = (service: AdminService) => `quorum_value_${service}`;
const TIMEOUT_KEYS = { generated: 'quorum_timeout_generated', approved: 'quorum_timeout_approved' } as const;
const SELF_APPROVAL_KEY = 'quorum_self_approval';
const LOCKOUT_GUARD_KEY = 'quorum_lockout_guard';
/** Not exposed by any command: lets tests reach the token limit without 1,024 sessions. */
export const MAX_TOKENS_KEY = 'quorum_max_tokens';

export type TimeoutKind = keyof typeof TIMEOUT_KEYS;
export interface TokenTimeouts {
  generated: number;
  approved: number;
}

/** A stored number, or the default when absent or unreadable (a damaged setting never disables quorum below 1). */
function numberSetting(store: Store, key: string, fallback: number, valid: (n: number) => boolean): number {
  const raw = store.getSetting(key);
  const value = raw === undefined ? NaN : Number(raw);
  return valid(value) ? value : fallback;
}

export function quorumValue(store: Store, service: AdminService): number {
  return numberSetting(store, valueKey(service), 1, isValidQuorumValue);
}

export function setQuorumValue(store: Store, service: AdminService, value: number): void {
  store.setSetting(valueKey(service), String(value));
}

export function tokenTimeouts(store: Store): TokenTimeouts {
  return {
    generated: numberSetting(
      store,
      TIMEOUT_KEYS.generated,
      DEFAULT_TOKEN_TIMEOUT_SECONDS,
      isValidTokenTimeout,
    ),
    approved: numberSetting(store, TIMEOUT_KEYS.approved, DEFAULT_TOKEN_TIMEOUT_SECONDS, isValidTokenTimeout),
  };
}

export function setTokenTimeout(store: Store, kind: TimeoutKind, seconds: number): void {
  store.setSetting(TIMEOUT_KEYS[kind], String(seconds));
}

/**
 * LocalHSM's quorum policy switches (cluster settings, one copy per HSM like every setting):
 * - selfApproval: the requester's own signature counts as one approval (CloudHSM's behaviour; default on).
 * - lockoutGuard: failed logins do not lock an approver when that would leave a service with
 *   fewer approvers than its quorum value; after the 5th failure each further password evaluation
 *   waits for a doubling delay instead (a guard the real product lacks; default off, as CloudHSM
 *   locks everyone after 5 failures).
 */
export interface QuorumPolicy {
  selfApproval: boolean;
  lockoutGuard: boolean;
}

export function quorumPolicy(store: Store): QuorumPolicy {
  return {
    selfApproval: store.getSetting(SELF_APPROVAL_KEY) !== 'off',
    lockoutGuard: store.getSetting(LOCKOUT_GUARD_KEY) === 'on',
  };
}

export function setQuorumPolicy(store: Store, change: Partial<QuorumPolicy>): void {
  if (change.selfApproval !== undefined)
    store.setSetting(SELF_APPROVAL_KEY, change.selfApproval ? 'on' : 'off');
  if (change.lockoutGuard !== undefined)
    store.setSetting(LOCKOUT_GUARD_KEY, change.lockoutGuard ? 'on' : 'off');
}
