// Merges each HSM's user list into cloudhsm-cli's `user list` rows, marking disagreement as inconsistent.
import { APPLIANCE_USER, type UserView } from '../protocol/types.js';

export interface Strategy {
  strategy: 'token-sign';
  status: 'enabled' | 'inconsistent';
}

export interface UserRow {
  username: string;
  role: string;
  locked: 'true' | 'false' | 'inconsistent';
  mfa: Strategy[];
  quorum: Strategy[];
  'cluster-coverage': 'full' | 'inconsistent';
}

function agree<T>(values: readonly T[]): T | 'inconsistent' {
  return values.every((v) => v === values[0]) ? values[0]! : 'inconsistent';
}

function strategy(flags: readonly boolean[], total: number): Strategy[] {
  const enabled = flags.filter(Boolean).length;
  if (enabled === 0) return [];
  return [{ strategy: 'token-sign', status: enabled === total ? 'enabled' : 'inconsistent' }];
}

/** `perHsm` holds the lists of the HSMs that answered; coverage is relative to them. */
export function mergeUserLists(perHsm: readonly (readonly UserView[])[]): UserRow[] {
  const order: string[] = [];
  const seen = new Map<string, UserView[]>();
  for (const users of perHsm) {
    for (const u of users) {
      let views = seen.get(u.username);
      if (!views) seen.set(u.username, (views = [])), order.push(u.username);
      views.push(u);
    }
  }
  // Creation order, with the built-in app_user last as in CloudHSM's listings.
  const names = [...order.filter((n) => n !== APPLIANCE_USER), ...order.filter((n) => n === APPLIANCE_USER)];
  return names.map((username) => {
    const views = seen.get(username)!;
    const full = views.length === perHsm.length;
    return {
      username,
      role: agree(views.map((v) => v.role)),
      locked: agree(views.map((v) => (v.locked ? 'true' : 'false'))),
      mfa: strategy(
        views.map((v) => v.mfa),
        perHsm.length,
      ),
      quorum: strategy(
        views.map((v) => v.quorum),
        perHsm.length,
      ),
      'cluster-coverage': full ? 'full' : 'inconsistent',
    };
  });
}
