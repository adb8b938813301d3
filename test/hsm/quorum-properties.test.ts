// Property tests of the quorum token state machine on one node (HsmNode.handle, MemoryStore, manual clock).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Session } from '../../src/hsm/session.js';
import type { Approval } from '../../src/protocol/quorum.js';
import { signToken } from '../../src/tokens/token-sign.js';
import { NODE_ADMIN_PASSWORD, startTestNode } from '../helpers/typed-node.js';
import { approvalOf, rsaKeys } from '../helpers/quorum.js';

const PASS = 'password-123';
const ADMINS = ['admin', 'admin2', 'admin3', 'admin4'] as const;
/** Who signs: the four admins, a crypto user with a registered key, and a forger claiming to be admin3. */
const SIGNERS = [...ADMINS, 'cu', 'forger'] as const;
type Signer = (typeof SIGNERS)[number];
/** Sessions: two of `admin` (one user, two logins), one of admin2, one crypto user. */
const SESSION_USERS = [
  { username: 'admin', role: 'admin' },
  { username: 'admin', role: 'admin' },
  { username: 'admin2', role: 'admin' },
  { username: 'cu', role: 'crypto-user' },
] as const;

const keys = rsaKeys(6);
const KEY_OF: Record<Signer, crypto.KeyObject> = {
  admin: keys[0]!.privateKey,
  admin2: keys[1]!.privateKey,
  admin3: keys[2]!.privateKey,
  admin4: keys[3]!.privateKey,
  cu: keys[4]!.privateKey,
  forger: keys[5]!.privateKey,
};

type Action =
  | { kind: 'generate'; session: number; service: 'user' | 'quorum' }
  | { kind: 'sign'; file: number; signer: Signer; wrongToken: boolean }
  | { kind: 'sign-many'; file: number; signers: Signer[] }
  /** `own`: presented by the session that generated the file; `match`: an operation of the file's service. */
  | {
      kind: 'use';
      session: number;
      file: number;
      own: boolean;
      match: boolean;
      op: 'create' | 'create-existing' | 'set-value';
      value: number;
    }
  | { kind: 'advance'; seconds: number }
  | { kind: 'logout'; session: number }
  | { kind: 'login'; session: number }
  | { kind: 'delete'; session: number; scope: 'user' | 'all' }
  | { kind: 'self-approval'; on: boolean }
  /** A whole ceremony in a row (generate, sign, use), so interleavings around complete approvals are common. */
  | {
      kind: 'round';
      session: number;
      service: 'user' | 'quorum';
      signers: Signer[];
      op: 'create' | 'create-existing';
      value: number;
    };

const mostly = fc.oneof(
  { weight: 4, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);
const session = fc.integer({ min: 0, max: SESSION_USERS.length - 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('generate' as const),
      session,
      service: fc.constantFrom('user' as const, 'quorum' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('sign' as const),
      file: fc.nat(1),
      signer: fc.constantFrom(...SIGNERS),
      wrongToken: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('sign-many' as const),
      file: fc.nat(1),
      signers: fc.oneof(
        { weight: 4, arbitrary: fc.subarray([...ADMINS], { minLength: 2 }) },
        { weight: 1, arbitrary: fc.subarray([...SIGNERS], { minLength: 1 }) },
      ),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('use' as const),
      session,
      file: fc.oneof({ weight: 1, arbitrary: fc.constant(-1) }, { weight: 6, arbitrary: fc.nat(2) }),
      own: mostly,
      match: mostly,
      op: fc.constantFrom('create' as const, 'create-existing' as const, 'set-value' as const),
      value: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      seconds: fc.integer({ min: 0, max: 400 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('logout' as const), session }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('login' as const), session }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      session,
      scope: fc.constantFrom('user' as const, 'all' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('self-approval' as const), on: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('round' as const),
      session,
      service: fc.constantFrom('user' as const, 'quorum' as const),
      signers: fc.subarray([...SIGNERS]),
      op: fc.constantFrom('create' as const, 'create-existing' as const),
      value: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

/** What the test knows about a token file it holds (the model is only what safety needs). */
interface File {
  approval: Approval;
  service: 'user' | 'quorum';
  session: number;
  username: string;
  /** Login epoch of the generating session when generated. */
  epoch: number;
  generatedAt: number;
  /** Signers whose entry is a valid signature of this token by their own registered key. */
  validSigners: Set<string>;
  used: boolean;
  /** Set when a newer token of the same user and service was generated, or a delete covered it. */
  revoked: boolean;
  /** Whether an earlier presentation by its owner already carried enough valid approvals. */
  everSufficient: boolean;
}

interface Stats {
  successes: number;
  approvedUses: number;
}

async function runScenario(
  params: { userValue: number; quorumValue: number; generated: number; approved: number; actions: Action[] },
  stats: Stats,
): Promise<void> {
  // The model has no idle logout, and a scenario may advance the clock past the default idle limit.
  const t = await startTestNode(undefined, { session_idle_seconds: '1000000' });
  const { store, clock } = t;
  const setup = t.session();
  await t.ok(setup, 'login', { username: 'admin', role: 'admin', password: NODE_ADMIN_PASSWORD });
  for (const name of ['admin2', 'admin3', 'admin4'])
    await t.ok(setup, 'user-create', { username: name, role: 'admin', password: PASS });
  await t.ok(setup, 'user-create', { username: 'cu', role: 'crypto-user', password: PASS });
  await t.ok(setup, 'logout', {});
  const pems = [...ADMINS, 'cu'].map((name, i) => [name, keys[i]!.publicPem] as const);
  for (const [name, pem] of pems) store.updateUser({ ...store.getUser(name)!, quorumPublicKey: pem });
  store.setSetting('quorum_value_user', String(params.userValue));
  store.setSetting('quorum_value_quorum', String(params.quorumValue));
  store.setSetting('quorum_timeout_generated', String(params.generated));
  store.setSetting('quorum_timeout_approved', String(params.approved));

  const value = { user: params.userValue, quorum: params.quorumValue };
  let selfApproval = true;
  const sessions: Session[] = SESSION_USERS.map(() => t.session());
  const epochs = SESSION_USERS.map(() => 0);
  const loggedIn = SESSION_USERS.map(() => false);
  const login = async (i: number) => {
    const u = SESSION_USERS[i]!;
    await t.ok(sessions[i]!, 'login', {
      username: u.username,
      role: u.role,
      password: u.username === 'admin' ? NODE_ADMIN_PASSWORD : PASS,
    });
    loggedIn[i] = true;
    epochs[i]!++;
  };
  for (let i = 0; i < sessions.length; i++) await login(i);
  const files: File[] = [];
  /** Files counted from the newest, so actions meet the tokens they just made. */
  const recent = (n: number): File | undefined => files[files.length - 1 - n];
  let fresh = 0;

  /** Distinct approvers the rules allow, counted from what the test itself signed. */
  const validApprovals = (file: File, requester: string) =>
    [...file.validSigners].filter(
      (name) => (ADMINS as readonly string[]).includes(name) && (selfApproval || name !== requester),
    ).length;

  const step = async (a: Action): Promise<void> => {
    switch (a.kind) {
      case 'round':
        await step({ kind: 'generate', session: a.session, service: a.service });
        await step({ kind: 'sign-many', file: 0, signers: a.signers });
        await step({
          kind: 'use',
          session: a.session,
          file: 0,
          own: true,
          match: true,
          op: a.op,
          value: a.value,
        });
        break;
      case 'generate': {
        const reply = await t.call(sessions[a.session]!, 'quorum-generate', { service: a.service });
        const user = SESSION_USERS[a.session]!;
        if (!reply.ok) {
          assert.ok(
            !loggedIn[a.session] || user.role !== 'admin',
            `generate refused: ${reply.error.message}`,
          );
          break;
        }
        assert.ok(loggedIn[a.session] && user.role === 'admin');
        for (const f of files) if (f.username === user.username && f.service === a.service) f.revoked = true;
        const record = Buffer.from((reply.result as { record: string }).record, 'base64');
        files.push({
          approval: approvalOf([record]),
          service: a.service,
          session: a.session,
          username: user.username,
          epoch: epochs[a.session]!,
          generatedAt: clock.now(),
          validSigners: new Set(),
          used: false,
          revoked: false,
          everSufficient: false,
        });
        break;
      }
      case 'sign':
      case 'sign-many': {
        const file = recent(a.file);
        if (!file) break;
        const entries =
          a.kind === 'sign'
            ? [{ signer: a.signer, wrongToken: a.wrongToken }]
            : a.signers.map((signer) => ({ signer, wrongToken: false }));
        for (const { signer, wrongToken } of entries) {
          const token = wrongToken ? crypto.randomBytes(32) : Buffer.from(file.approval.token, 'base64');
          const username = signer === 'forger' ? 'admin3' : signer;
          const signature = signToken(KEY_OF[signer], token).toString('base64');
          file.approval = {
            ...file.approval,
            signatures: [...file.approval.signatures, { username, signature }],
          };
          if (!wrongToken && signer !== 'forger') file.validSigners.add(signer);
        }
        break;
      }
      case 'use': {
        const file = a.file === -1 ? undefined : recent(a.file);
        const at = file && a.own ? file.session : a.session;
        const op =
          file && a.match
            ? file.service === 'quorum'
              ? 'set-value'
              : a.op === 'set-value'
                ? 'create'
                : a.op
            : a.op;
        const s = sessions[at]!;
        const service = op === 'set-value' ? 'quorum' : 'user';
        const approval = file?.approval;
        const reply =
          op === 'set-value'
            ? await t.call(s, 'quorum-set-value', {
                service: 'user',
                value: a.value,
                ...(approval ? { approval } : {}),
              })
            : await t.call(s, 'user-create', {
                username: op === 'create' ? `u${fresh++}` : 'admin2',
                role: op === 'create' ? 'crypto-user' : 'admin',
                password: op === 'create' ? PASS : 'other-password',
                ...(approval ? { approval } : {}),
              });
        const requester = SESSION_USERS[at]!.username;
        const m = value[service];
        const sameLogin = !!file && file.session === at && file.epoch === epochs[at] && loggedIn[at];
        const age = file ? (clock.now() - file.generatedAt) / 1000 : 0;
        const enough = !!file && validApprovals(file, requester) >= m;
        const presentable =
          !!file &&
          file.service === service &&
          sameLogin &&
          !file.used &&
          !file.revoked &&
          age <= params.generated + params.approved;
        if (reply.ok) {
          stats.successes++;
          assert.ok(
            loggedIn[at] && SESSION_USERS[at]!.role === 'admin',
            'an operation ran without an admin login',
          );
          if (m > 1) {
            assert.ok(file, 'an operation ran without approval while its quorum value is above 1');
            assert.ok(!file.used, 'a token was used twice');
            assert.ok(!file.revoked, 'a replaced or deleted token was used');
            assert.equal(file.service, service, 'a token of another service was accepted');
            assert.ok(sameLogin, 'a token was used outside the login session that generated it');
            assert.ok(
              enough,
              `an operation ran with ${validApprovals(file, requester)} valid approvals, needing ${m}`,
            );
            assert.ok(age <= params.generated + params.approved, 'an expired token was accepted');
            if (!file.everSufficient)
              assert.ok(age <= params.generated, 'a token was approved after its generated timeout');
            file.used = true;
            stats.approvedUses++;
          }
          if (op === 'set-value') value.user = a.value;
        } else if (reply.error.code === 'ERR_USER_EXISTS' && file && m > 1) {
          // The approval passed and the operation was refused for another reason: approved, not consumed.
          assert.ok(presentable && enough, 'an approval check passed that should not have');
          file.everSufficient = true;
        }
        if (file && presentable && enough && !reply.ok && reply.error.code === 'ERR_QUORUM_TOO_FEW') {
          assert.fail('enough valid approvals were counted as too few');
        }
        break;
      }
      case 'advance':
        clock.advance(a.seconds);
        break;
      case 'logout':
        if ((await t.call(sessions[a.session]!, 'logout', {})).ok) loggedIn[a.session] = false;
        break;
      case 'login':
        if (!loggedIn[a.session]) await login(a.session);
        break;
      case 'delete': {
        const reply = await t.call(sessions[a.session]!, 'quorum-delete', { scope: a.scope });
        if (!reply.ok) break;
        const username = SESSION_USERS[a.session]!.username;
        for (const f of files) if (a.scope === 'all' || f.username === username) f.revoked = true;
        break;
      }
      case 'self-approval':
        store.setSetting('quorum_self_approval', a.on ? 'on' : 'off');
        selfApproval = a.on;
        break;
    }
  };
  for (const a of params.actions) await step(a);
}

describe('quorum token state machine (property)', () => {
  it('never runs an operation with fewer than M distinct valid approvals, nor uses a token twice', async () => {
    const stats: Stats = { successes: 0, approvedUses: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          userValue: fc.integer({ min: 1, max: 3 }),
          quorumValue: fc.integer({ min: 1, max: 3 }),
          generated: fc.constantFrom(60, 300, 600),
          approved: fc.constantFrom(30, 600),
          actions: fc.array(action, { minLength: 10, maxLength: 40, size: 'max' }),
        }),
        (params) => runScenario(params, stats),
      ),
      { numRuns: 60 },
    );
    // Not vacuous: approvals were actually accepted in some runs.
    assert.ok(stats.approvedUses > 0, `no approved operation in any run (${stats.successes} successes)`);
  });
});
