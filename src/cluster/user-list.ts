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

/** What the HSMs that hold one user say about it, tallied without keeping every view. */
interface Tally {
  first: UserView;
  holders: number;
  sameRole: boolean;
  locked: number;
  mfa: number;
  quorum: number;
}

function strategy(enabled: number, total: number): Strategy[] {
  if (enabled === 0) return [];
  return [{ strategy: 'token-sign', status: enabled === total ? 'enabled' : 'inconsistent' }];
}

/** `perHsm` holds the lists of the HSMs that answered; coverage is relative to them. Linear in users × HSMs. */
export function mergeUserLists(perHsm: readonly (readonly UserView[])[]): UserRow[] {
  const tallies = new Map<string, Tally>();
  for (const users of perHsm) {
    for (const u of users) {
      const t = tallies.get(u.username);
      if (!t) {
        tallies.set(u.username, {
          first: u,
          holders: 1,
          sameRole: true,
          locked: u.locked ? 1 : 0,
          mfa: u.mfa ? 1 : 0,
          quorum: u.quorum ? 1 : 0,
        });
        continue;
      }
      t.holders++;
      if (u.role !== t.first.role) t.sameRole = false;
      if (u.locked) t.locked++;
      if (u.mfa) t.mfa++;
      if (u.quorum) t.quorum++;
    }
  }
  const total = perHsm.length;
  const rows: UserRow[] = [];
  let appliance: UserRow | undefined;
  // Map order is first-seen order: creation order, with the built-in app_user last as in CloudHSM's listings.
  for (const [username, t] of tallies) {
    const row: UserRow = {
      username,
      role: t.sameRole ? t.first.role : 'inconsistent',
      locked: t.locked === 0 ? 'false' : t.locked === t.holders ? 'true' : 'inconsistent',
      mfa: strategy(t.mfa, total),
      quorum: strategy(t.quorum, total),
      'cluster-coverage': t.holders === total ? 'full' : 'inconsistent',
    };
    if (username === APPLIANCE_USER) appliance = row;
    else rows.push(row);
  }
  if (appliance) rows.push(appliance);
  return rows;
}
