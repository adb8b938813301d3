// Test helper: runs one user-management case twice — through the CLI on a whole cluster, and as a
// hand-made request straight to a lone HsmNode — and checks both decide alike (code and message).
import assert from 'node:assert/strict';
import { CliSession } from '../../src/cli/context.js';
import { changeEverywhere, loginCluster } from '../../src/cluster/operations.js';
import { paths } from '../../src/cluster/state-dir.js';
import { ADMIN_PASSWORD, type TestCluster } from './cluster.js';
import { envelopes } from './envelopes.js';
import { NODE_ADMIN_PASSWORD, makeNode, type TestNode } from './node.js';

export const PW = 'password-1';
export const NEW_PW = 'password-2';

export type Actor = 'admin' | 'crypto-user' | 'none';

/** The users of one case; fresh names per case so that cases never see each other's changes. */
export interface Fixture {
  /** The logged-in admin (actor 'admin'). */
  adm: string;
  /** The logged-in crypto user (actor 'crypto-user'). */
  cu: string;
  /** Another admin and another crypto user, not logged in. */
  oadm: string;
  ocu: string;
  /** A name not yet taken. */
  fresh: string;
}

/** What a case can look at afterwards, the same way on the cluster (through the CLI) and on the lone node. */
export interface Observer {
  roleOf(username: string): Promise<string | undefined>;
  canLogin(username: string, role: string, password: string): Promise<boolean>;
}

export type Expected =
  { ok: true; data: unknown; wire?: unknown } | { ok: false; code: string; message: string };

export interface UserCase {
  actor: Actor;
  /** The line typed in the shell after the actor's login. */
  line(f: Fixture): string;
  wire(f: Fixture): { op: string; args: Record<string, unknown> };
  /** A user who is logged in on another connection while the command runs. */
  elsewhere?: (f: Fixture) => [string, string];
  expect(f: Fixture): Expected;
  /** The state afterwards. */
  check?(f: Fixture, o: Observer): Promise<void>;
}

export const ok = (data: unknown, wire: unknown = data): Expected => ({ ok: true, data, wire });
export const refused = (code: string, message: string): Expected => ({ ok: false, code, message });

export async function passwordChanged(o: Observer, username: string, role: string): Promise<void> {
  assert.equal(await o.canLogin(username, role, NEW_PW), true, `${username} logs in with the new password`);
  assert.equal(await o.canLogin(username, role, PW), false, `${username}'s old password no longer works`);
}
export async function passwordKept(o: Observer, username: string, role: string): Promise<void> {
  assert.equal(await o.canLogin(username, role, PW), true, `${username} still logs in with the old password`);
}

export function actorLogin(actor: Actor, f: Fixture): { username: string; role: string } | undefined {
  if (actor === 'admin') return { username: f.adm, role: 'admin' };
  if (actor === 'crypto-user') return { username: f.cu, role: 'crypto-user' };
  return undefined;
}

const fixtureUsers = (f: Fixture) =>
  [
    [f.adm, 'admin'],
    [f.cu, 'crypto-user'],
    [f.oadm, 'admin'],
    [f.ocu, 'crypto-user'],
  ] as const;

/** A lone HSM with the fixture users, for hand-made requests. */
export async function nodeWithFixture(f: Fixture): Promise<TestNode> {
  const t = await makeNode({ activated: true });
  const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
  for (const [username, role] of fixtureUsers(f)) {
    const reply = await t.send(admin, 'user-create', { username, role, password: PW });
    assert.ok(reply.ok);
  }
  t.node.closeSession(admin);
  return t;
}

export function nodeObserver(t: TestNode): Observer {
  return {
    roleOf: async (username) => t.store.getUser(username)?.role,
    async canLogin(username, role, password) {
      const session = t.node.openSession();
      try {
        return (await t.send(session, 'login', { username, role, password })).ok;
      } finally {
        t.node.closeSession(session);
      }
    },
  };
}

/** Runs cases on one activated cluster; `prefix` keeps fixture names apart between runners. */
export class UserCaseRunner {
  private counter = 0;
  private constructor(
    readonly cluster: TestCluster,
    private readonly setup: CliSession,
    private readonly prefix: string,
  ) {}

  static async open(cluster: TestCluster, prefix: string): Promise<UserCaseRunner> {
    const setup = new CliSession(paths(cluster.dir).config);
    await loginCluster(
      setup.cluster(),
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      () => {},
    );
    return new UserCaseRunner(cluster, setup, prefix);
  }

  close(): void {
    this.setup.close();
  }

  /** Fresh fixture users on every HSM of the cluster. */
  async fixture(): Promise<Fixture> {
    const i = `${this.prefix}${++this.counter}`;
    const f: Fixture = {
      adm: `adm_${i}`,
      cu: `cu_${i}`,
      oadm: `oadm_${i}`,
      ocu: `ocu_${i}`,
      fresh: `new_${i}`,
    };
    for (const [username, role] of fixtureUsers(f)) {
      await changeEverywhere(
        this.setup.cluster(),
        'user-create',
        { username, role, password: PW },
        'User create',
        () => {},
      );
    }
    return f;
  }

  readonly observer: Observer = {
    roleOf: async (username) => {
      const run = await this.cluster.cli(['user', 'list']);
      const rows = run.json!.data.users as { username: string; role: string; 'cluster-coverage': string }[];
      const row = rows.find((u) => u.username === username);
      if (row) assert.equal(row['cluster-coverage'], 'full');
      return row?.role;
    },
    canLogin: async (username, role, password) => {
      const run = await this.cluster.cli([
        'login',
        '--username',
        username,
        '--role',
        role,
        '--password',
        password,
      ]);
      return run.json?.error_code === 0;
    },
  };

  /** Holds a login on every HSM from another connection while fn runs. */
  private async withLoginElsewhere<T>(who: [string, string] | undefined, fn: () => Promise<T>): Promise<T> {
    if (!who) return fn();
    const other = new CliSession(paths(this.cluster.dir).config);
    try {
      await loginCluster(other.cluster(), { username: who[0], role: who[1], password: PW }, () => {});
      return await fn();
    } finally {
      other.close();
    }
  }

  async run(c: UserCase): Promise<void> {
    // Through the CLI (interactive shell fed from stdin), on the whole cluster.
    const f = await this.fixture();
    const expected = c.expect(f);
    const login = actorLogin(c.actor, f);
    const lines = [
      ...(login ? [`login --username ${login.username} --role ${login.role} --password ${PW}`] : []),
      c.line(f),
    ];
    const run = await this.withLoginElsewhere(c.elsewhere?.(f), () =>
      this.cluster.cli(['interactive'], { input: lines.join('\n') + '\n' }),
    );
    const out = envelopes(run.stdout);
    assert.equal(out.length, lines.length, run.stdout + run.stderr);
    if (login) assert.deepEqual(out[0], { error_code: 0, data: login });
    assert.deepEqual(
      out.at(-1),
      expected.ok ? { error_code: 0, data: expected.data } : { error_code: 1, data: expected.message },
    );
    // Only the prompts on stderr: no warning, so every HSM decided alike.
    assert.equal(run.stderr, 'aws-cloudhsm > \n'.repeat(lines.length + 1));
    await c.check?.(f, this.observer);

    // The same request made by hand, straight to one node: it must decide alike without the CLI.
    const t = await nodeWithFixture(f);
    const session = login ? await t.loginSession(login.username, login.role, PW) : t.node.openSession();
    const elsewhere = c.elsewhere?.(f);
    const other = elsewhere && (await t.loginSession(elsewhere[0], elsewhere[1], PW));
    const { op, args } = c.wire(f);
    const reply = await t.send(session, op, args);
    if (expected.ok) {
      assert.deepEqual(reply.ok ? reply.result : reply.error, expected.wire);
    } else {
      assert.deepEqual(reply.ok ? reply.result : { code: reply.error.code, message: reply.error.message }, {
        code: expected.code,
        message: expected.message,
      });
    }
    if (other) t.node.closeSession(other);
    await c.check?.(f, nodeObserver(t));
  }
}
