// Test helpers: one HsmNode over a MemoryStore with typed calls (ok / fails) and a manual clock, for quorum unit tests.
import assert from 'node:assert/strict';
import type { ErrorCode } from '../../src/errors.js';
import { HsmNode } from '../../src/hsm/node.js';
import { provisionHsm } from '../../src/hsm/provision.js';
import type { Session } from '../../src/hsm/session.js';
import { MemoryStore } from '../../src/hsm/store/memory.js';
import type { OpArgs, OpResult, OperationName } from '../../src/protocol/operations.js';
import { ManualClock } from './cluster.js';

export const NODE_ADMIN_PASSWORD = 'admin-pass-1';

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

/** A provisioned and activated node (admin password NODE_ADMIN_PASSWORD, fast KDF). */
export async function startTestNode(clock = new ManualClock()): Promise<TestNode> {
  const store = new MemoryStore();
  provisionHsm(store, {
    hsmId: `hsm-test${nextId++}`,
    clusterId: 'cluster-aaaaaaaaaaa',
    serialNumber: 'SN-TEST',
    kdf: 'fast',
  });
  const node = new HsmNode(store, {
    clock,
    onInternalError: (op, e) => console.error(`internal error in ${op}`, e),
  });
  let id = 1;
  const call: TestNode['call'] = (session, op, args) => node.handle({ v: 1, id: id++, op, args }, session);
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
  await t.ok(node.openSession(), 'cluster-activate', { password: NODE_ADMIN_PASSWORD });
  return t;
}
