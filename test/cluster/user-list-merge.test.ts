// mergeUserLists: how the HSMs' lists become `user list` rows (coverage, disagreement, order).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mergeUserLists } from '../../src/cluster/user-list.js';
import type { UserView } from '../../src/protocol/types.js';

const view = (username: string, overrides: Partial<UserView> = {}): UserView => ({
  username,
  role: 'crypto-user',
  locked: false,
  mfa: false,
  quorum: false,
  ...overrides,
});
const appUser = view('app_user', { role: 'internal(APPLIANCE_USER)' });

it('marks each kind of disagreement inconsistent and keeps creation order with app_user last', () => {
  const hsm1 = [
    view('admin', { role: 'admin' }),
    appUser,
    view('ann', { mfa: true, quorum: true }),
    view('bob', { locked: true }),
  ];
  const hsm2 = [
    view('admin', { role: 'admin' }),
    appUser,
    view('ann', { mfa: true }),
    view('bob'),
    view('cid'),
  ];
  const hsm3 = [
    view('admin', { role: 'admin' }),
    appUser,
    view('ann', { mfa: true }),
    view('bob', { role: 'admin' }),
    view('cid'),
  ];
  const token = (status: string) => [{ strategy: 'token-sign', status }];
  assert.deepEqual(mergeUserLists([hsm1, hsm2, hsm3]), [
    { username: 'admin', role: 'admin', locked: 'false', mfa: [], quorum: [], 'cluster-coverage': 'full' },
    {
      username: 'ann',
      role: 'crypto-user',
      locked: 'false',
      mfa: token('enabled'),
      quorum: token('inconsistent'),
      'cluster-coverage': 'full',
    },
    {
      username: 'bob',
      role: 'inconsistent',
      locked: 'inconsistent',
      mfa: [],
      quorum: [],
      'cluster-coverage': 'full',
    },
    {
      username: 'cid',
      role: 'crypto-user',
      locked: 'false',
      mfa: [],
      quorum: [],
      'cluster-coverage': 'inconsistent',
    },
    {
      username: 'app_user',
      role: 'internal(APPLIANCE_USER)',
      locked: 'false',
      mfa: [],
      quorum: [],
      'cluster-coverage': 'full',
    },
  ]);
});

it('counts locked over the HSMs that hold the user, and MFA over all answering HSMs', () => {
  const rows = mergeUserLists([
    [view('dee', { locked: true, mfa: true })],
    [],
    [view('dee', { locked: true, mfa: true })],
  ]);
  assert.deepEqual(rows, [
    {
      username: 'dee',
      role: 'crypto-user',
      locked: 'true',
      mfa: [{ strategy: 'token-sign', status: 'inconsistent' }],
      quorum: [],
      'cluster-coverage': 'inconsistent',
    },
  ]);
});
