// Test helpers: typed calls (ok / fails) over the node of test/helpers/node.ts, activated, with a manual clock.
import assert from 'node:assert/strict';
import type { ErrorCode } from '../../src/errors.js';
import type { HsmNode } from '../../src/hsm/node.js';
import type { Session } from '../../src/hsm/session.js';
import type { MemoryStore } from '../../src/hsm/store/memory.js';
import type { OpArgs, OpResult, OperationName } from '../../src/protocol/operations.js';
import { ManualClock } from './cluster.js';
import { NODE_ADMIN_PASSWORD, makeNode } from './node.js';

export { NODE_ADMIN_PASSWORD };

export interface TestNode {
  node: HsmNode;
  store: MemoryStore;
  clock: ManualClock;
  session(): Session;
  ok<O extends OperationName>(session: Session, op: O, args: OpArgs<O>): Promise<OpResult<O>>;
  /** Runs an operation that must be refused; returns the error code and message. */
  fails<O extends OperationName>(
    session: Session,
    op: O,
    args: OpArgs<O>,
  ): Promise<{ code: ErrorCode; message: string; params: Record<string, string | number> }>;
  call<O extends OperationName>(
    session: Session,
    op: O,
    args: OpArgs<O>,
  ): Promise<Awaited<ReturnType<HsmNode['handle']>>>;
  /** A new session logged in as `username`. */
  login(username: string, password: string, role?: string): Promise<Session>;
}

let nextId = 1;

/** A provisioned and activated node (admin password NODE_ADMIN_PASSWORD, fast KDF), with typed calls. */
export async function startTestNode(
  clock = new ManualClock(),
  settings: NonNullable<Parameters<typeof makeNode>[0]>['settings'] = {},
): Promise<TestNode> {
  const { node, store, send } = await makeNode({ activated: true, clock, hsmId: `hsm-test${nextId++}`, settings });
  const call: TestNode['call'] = (session, op, args) => send(session, op, args);
  const t: TestNode = {
    node,
    store,
    clock,
    session: () => node.openSession(),
    call,
    async ok(session, op, args) {
      const reply = await call(session, op, args);
      if (!reply.ok) assert.fail(`${op} refused: ${reply.error.code} ${reply.error.message}`);
      return reply.result as never;
    },
    async fails(session, op, args) {
      const reply = await call(session, op, args);
      if (reply.ok) assert.fail(`${op} unexpectedly succeeded`);
      return reply.error;
    },
    async login(username, password, role = 'admin') {
      const s = node.openSession();
      await t.ok(s, 'login', { username, role, password });
      return s;
    },
  };
  return t;
}
