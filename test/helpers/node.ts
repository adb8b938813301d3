// Test helpers: a provisioned HsmNode on a MemoryStore, driven through handle() with hand-made requests.
import { HsmNode } from '../../src/hsm/node.js';
import { provisionHsm } from '../../src/hsm/provision.js';
import type { Session } from '../../src/hsm/session.js';
import type { SettingKey } from '../../src/hsm/settings.js';
import { MemoryStore } from '../../src/hsm/store/memory.js';
import type { Reply, WireError } from '../../src/protocol/frames.js';
import { ManualClock } from './cluster.js';
import { Masking } from '../../src/hsm/keys/masking.js';

/** The masking key every test node shares, as the HSMs of one cluster do (key copies open on each of them). */
export const TEST_MASKING = new Masking(Buffer.alloc(32, 0x5a));

export const NODE_ADMIN_PASSWORD = 'admin-pass-1';

export interface TestNode {
  node: HsmNode;
  store: MemoryStore;
  clock: ManualClock;
  /** Sends one request straight to handle() (no client-side checks at all). */
  send(session: Session, op: string, args: unknown): Promise<Reply>;
  /** A new session logged in as the given user (throws if the node refuses). */
  loginSession(username: string, role: string, password: string): Promise<Session>;
}

let nextRequestId = 1;

/** A fresh provisioned HSM (unactivated unless `activated`), with the fast KDF. */
export async function makeNode(
  options: {
    activated?: boolean;
    /** Raw settings rows (text as stored), written after provisioning. */
    settings?: { readonly [K in SettingKey]?: string };
    clock?: ManualClock;
    hsmId?: string;
  } = {},
): Promise<TestNode> {
  const store = new MemoryStore();
  provisionHsm(store, {
    hsmId: options.hsmId ?? 'hsm-aaaaaaaaaaa',
    clusterId: 'cluster-aaaaaaaaaaa',
    serialNumber: 'LHSM-TEST',
    kdf: 'fast',
  });
  for (const [key, value] of Object.entries(options.settings ?? {}) as [SettingKey, string][])
    store.setSetting(key, value);
  const clock = options.clock ?? new ManualClock();
  const node = new HsmNode(store, {
    clock,
    masking: TEST_MASKING,
    onInternalError: (op, e) => console.error(`internal error in ${op}`, e),
  });
  const send = (session: Session, op: string, args: unknown) =>
    node.handle({ v: 1, id: nextRequestId++, op, args }, session);
  const loginSession = async (username: string, role: string, password: string) => {
    const session = node.openSession();
    const reply = await send(session, 'login', { username, role, password });
    if (!reply.ok) throw new Error(`login ${username} refused: ${reply.error.message}`);
    return session;
  };
  if (options.activated) {
    const reply = await send(node.openSession(), 'cluster-activate', { password: NODE_ADMIN_PASSWORD });
    if (!reply.ok) throw new Error(`activation refused: ${reply.error.message}`);
  }
  return { node, store, clock, send, loginSession };
}

/** The error of a refused reply (fails the test when the reply is a success). */
export function refusal(reply: Reply): WireError {
  if (reply.ok) throw new Error(`expected a refusal, got success ${JSON.stringify(reply.result)}`);
  return reply.error;
}

/** The result of a successful reply (fails the test when the reply is a refusal). */
export function success(reply: Reply): unknown {
  if (!reply.ok) throw new Error(`expected success, got ${reply.error.code}: ${reply.error.message}`);
  return reply.result;
}
