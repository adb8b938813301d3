// verdict: each fan-out policy on the same per-HSM outcomes (no cluster: the outcomes are made up) — warnings, answers, error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Outcome } from '../../src/cluster/cluster.js';
import { HsmConnection, UnreachableError } from '../../src/cluster/connection.js';
import { type FanOutPolicy, verdict } from '../../src/cluster/verdict.js';
import { HsmError } from '../../src/errors.js';

const hsm = (n: number) => new HsmConnection({ hostname: `10.0.0.${n}`, port: 2223 }, '');
const ok = (n: number): Outcome<string> => ({ connection: hsm(n), ok: true, value: `v${n}` });
const down = (n: number): Outcome<string> => {
  const connection = hsm(n);
  return {
    connection,
    ok: false,
    error: new UnreachableError(connection.address, `connect ECONNREFUSED ${connection.address}`),
  };
};
const locked = (n: number): Outcome<string> => ({
  connection: hsm(n),
  ok: false,
  error: new HsmError('ERR_USER_LOCKED', { username: 'alice' }),
});
const badPassword = (n: number): Outcome<string> => ({
  connection: hsm(n),
  ok: false,
  error: new HsmError('ERR_LOGIN_FAILED'),
});

const DOWN = (n: number) =>
  `warning: HSM at 10.0.0.${n}:2223 did not answer (connect ECONNREFUSED 10.0.0.${n}:2223)`;
const LOCKED = (n: number) =>
  `warning: HSM at 10.0.0.${n}:2223 refused: User alice is locked after too many failed login attempts; an admin can unlock it with user change-password`;
const UNCHANGED = 'warning: no HSM was changed';

const SETS = {
  allOk: [ok(1), ok(2), ok(3)],
  oneDown: [ok(1), down(2), ok(3)],
  oneRefused: [ok(1), locked(2), ok(3)],
  allDown: [down(1), down(2), down(3)],
  allRefusedAlike: [badPassword(1), badPassword(2), badPassword(3)],
  downAndRefused: [down(1), locked(2), down(3)],
  none: [],
} satisfies Record<string, Outcome<string>[]>;
type SetName = keyof typeof SETS;

type Expected = { warnings: string[] } & ({ values: string[] } | { code: string; message: string });

function judge(set: SetName, policy: FanOutPolicy): Expected {
  const warnings: string[] = [];
  const context = { operation: 'Frobnicate', clusterId: 'cluster-x', warn: (l: string) => warnings.push(l) };
  try {
    const answers = verdict(SETS[set], policy, context);
    return { warnings, values: answers.map((o) => `${o.value}@${o.connection.address}`) };
  } catch (error) {
    assert.ok(error instanceof HsmError, `${policy}/${set} threw ${String(error)}`);
    return { warnings, code: error.code, message: error.message };
  }
}

const values = (...ns: number[]) => ns.map((n) => `v${n}@10.0.0.${n}:2223`);
const partial = { code: 'ERR_PARTIAL_FAILURE', message: 'Frobnicate failed on 1 of 3 connections' };
const noHsm = {
  code: 'ERR_NO_HSM',
  message:
    'Failed to connect to any HSM of cluster cluster-x: HSM at 10.0.0.1:2223 did not answer (connect ECONNREFUSED 10.0.0.1:2223)',
};
const loginFailed = { code: 'ERR_LOGIN_FAILED', message: 'Incorrect authentication credentials' };
const userLocked = {
  code: 'ERR_USER_LOCKED',
  message:
    'User alice is locked after too many failed login attempts; an admin can unlock it with user change-password',
};

/** What every policy does when no HSM succeeded at all (the HSMs' own error, or no HSM reachable). */
const NONE_SUCCEEDED: Record<'allDown' | 'allRefusedAlike' | 'downAndRefused' | 'none', Expected> = {
  allDown: { warnings: [DOWN(1), DOWN(2), DOWN(3)], ...noHsm },
  allRefusedAlike: { warnings: [], ...loginFailed },
  downAndRefused: { warnings: [DOWN(1), LOCKED(2), DOWN(3)], ...userLocked },
  none: { warnings: [], values: [] },
};

const EXPECTED: Record<FanOutPolicy, Record<SetName, Expected>> = {
  all: {
    allOk: { warnings: [], values: values(1, 2, 3) },
    oneDown: { warnings: [DOWN(2)], ...partial },
    oneRefused: { warnings: [LOCKED(2)], ...partial },
    ...NONE_SUCCEEDED,
  },
  'before-change': {
    allOk: { warnings: [], values: values(1, 2, 3) },
    oneDown: { warnings: [DOWN(2), UNCHANGED], ...partial },
    oneRefused: { warnings: [LOCKED(2), UNCHANGED], ...partial },
    ...NONE_SUCCEEDED,
  },
  any: {
    allOk: { warnings: [], values: values(1, 2, 3) },
    oneDown: { warnings: [DOWN(2)], values: values(1, 3) },
    oneRefused: { warnings: [LOCKED(2)], values: values(1, 3) },
    ...NONE_SUCCEEDED,
  },
  reachable: {
    allOk: { warnings: [], values: values(1, 2, 3) },
    oneDown: { warnings: [DOWN(2)], values: values(1, 3) },
    oneRefused: { warnings: [LOCKED(2)], ...partial },
    ...NONE_SUCCEEDED,
  },
  login: {
    allOk: { warnings: [], values: values(1, 2, 3) },
    oneDown: { warnings: [DOWN(2)], values: values(1, 3) },
    oneRefused: { warnings: [LOCKED(2)], ...partial },
    ...NONE_SUCCEEDED,
    allDown: { warnings: [], ...noHsm },
  },
  'refusal-first': {
    allOk: { warnings: [], values: values(1, 2, 3) },
    oneDown: { warnings: [DOWN(2)], values: values(1, 3) },
    oneRefused: { warnings: [], ...userLocked },
    ...NONE_SUCCEEDED,
    downAndRefused: { warnings: [], ...userLocked },
  },
};

for (const [policy, cases] of Object.entries(EXPECTED) as [FanOutPolicy, Record<SetName, Expected>][]) {
  describe(`fan-out policy ${policy}`, () => {
    for (const [set, expected] of Object.entries(cases) as [SetName, Expected][]) {
      it(`${set}: ${'values' in expected ? 'answers' : expected.code}`, () => {
        assert.deepEqual(judge(set, policy), expected);
      });
    }
  });
}

it('a partial failure counts every HSM that failed, whatever the reason', () => {
  const warnings: string[] = [];
  assert.throws(
    () =>
      verdict([ok(1), down(2), locked(3), ok(4)], 'all', {
        operation: 'User delete',
        clusterId: 'c',
        warn: (l) => warnings.push(l),
      }),
    { code: 'ERR_PARTIAL_FAILURE', message: 'User delete failed on 2 of 4 connections' },
  );
  assert.deepEqual(warnings, [DOWN(2), LOCKED(3)]);
});

it('when HSMs refuse for different reasons, each is named and the first in order is the error', () => {
  const warnings: string[] = [];
  assert.throws(
    () =>
      verdict([badPassword(1), locked(2)], 'any', {
        operation: 'Op',
        clusterId: 'c',
        warn: (l) => warnings.push(l),
      }),
    loginFailed,
  );
  assert.deepEqual(warnings, [
    'warning: HSM at 10.0.0.1:2223 refused: Incorrect authentication credentials',
    LOCKED(2),
  ]);
});
