// Server-side key sync on the node: only the appliance (a proof made with the masking key, bound to the HSM) may list,
// copy or apply; the mover carries missing keys and deletions; a deleted key never comes back, not even as a copy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applianceMessage } from '../../src/hsm/keys/appliance.js';
import { Masking } from '../../src/hsm/keys/masking.js';
import type { Session } from '../../src/hsm/session.js';
import { type SyncMember, syncKeys } from '../../src/localhsm/key-sync.js';
import {
  NODE_ADMIN_PASSWORD,
  TEST_MASKING,
  type TestNode,
  makeNode,
  refusal,
  success,
} from '../helpers/node.js';

const A = 'hsm-aaaaaaaaaaa';
const B = 'hsm-bbbbbbbbbbb';

async function nodeWithAlice(hsmId: string): Promise<{ t: TestNode; alice: Session }> {
  const t = await makeNode({ activated: true, hsmId });
  const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
  success(
    await t.send(admin, 'user-create', { username: 'alice', role: 'crypto-user', password: 'alice-pass-1' }),
  );
  return { t, alice: await t.loginSession('alice', 'crypto-user', 'alice-pass-1') };
}

/** The node as the mover sees it: every call in a session of its own, refusals thrown. */
function member(t: TestNode, id: string): SyncMember {
  const session = t.node.openSession();
  return {
    id,
    connection: {
      call: (async (op: string, args: unknown) => {
        const reply = await t.send(session, op, args);
        if (!reply.ok) throw new Error(reply.error.message);
        return reply.result;
      }) as SyncMember['connection']['call'],
    },
  };
}

describe('server-side key sync on the node', () => {
  it('refuses a proof not made with the masking key, made for another HSM, or from a logged-in user', async () => {
    const { t, alice } = await nodeWithAlice(A);
    const other = new Masking(Buffer.alloc(32, 0x11));
    for (const proof of [
      'not a proof',
      other.applianceProof(applianceMessage('key-sync-list', A, {})),
      TEST_MASKING.applianceProof(applianceMessage('key-sync-list', B, {})),
    ]) {
      assert.match(
        refusal(await t.send(alice, 'key-sync-list', { proof })).message,
        /not made by the appliance/,
      );
    }
    const args = { copies: [], tombstones: [1] };
    const forged = other.applianceProof(applianceMessage('key-sync-apply', A, args));
    assert.match(
      refusal(await t.send(alice, 'key-sync-apply', { proof: forged, ...args })).message,
      /appliance/,
    );
    // A good proof covers its arguments: the same proof with other arguments is refused.
    const good = TEST_MASKING.applianceProof(applianceMessage('key-sync-apply', A, args));
    assert.match(
      refusal(await t.send(alice, 'key-sync-apply', { proof: good, copies: [], tombstones: [2] })).message,
      /appliance/,
    );
  });

  it('carries a missing key and a deletion; the deleted key never returns, not even from its owner', async () => {
    const a = await nodeWithAlice(A);
    const b = await nodeWithAlice(B);
    const created = success(
      await a.t.send(a.alice, 'key-generate', { type: 'aes', label: 'k', keyLengthBytes: 32 }),
    ) as { keys: { ref: string }[]; copies: string[] };
    const ref = Number.parseInt(created.keys[0]!.ref, 16);
    assert.equal(b.t.store.getKey(ref), undefined);

    const members = [member(a.t, A), member(b.t, B)];
    assert.deepEqual(await syncKeys(members, TEST_MASKING), {
      copied: 1,
      deleted: 0,
      unreachable: [],
      conflicts: [],
    });
    assert.equal(b.t.store.getKey(ref)?.label, 'k');
    // The copy is sealed material: what B stores opens to the same key as A's.
    assert.deepEqual(
      TEST_MASKING.openMaterial(ref, b.t.store.getKey(ref)!.material),
      TEST_MASKING.openMaterial(ref, a.t.store.getKey(ref)!.material),
    );

    success(await a.t.send(a.alice, 'key-delete', { ref: created.keys[0]!.ref }));
    assert.deepEqual(await syncKeys(members, TEST_MASKING), {
      copied: 0,
      deleted: 1,
      unreachable: [],
      conflicts: [],
    });
    assert.equal(b.t.store.getKey(ref), undefined);
    assert.deepEqual(await syncKeys(members, TEST_MASKING), {
      copied: 0,
      deleted: 0,
      unreachable: [],
      conflicts: [],
    });
    // The owner's old copy (client-side sync) is refused where the key was deleted.
    assert.match(
      refusal(await b.t.send(b.alice, 'key-insert', { copy: created.copies[0] })).message,
      /the key was deleted on this HSM/,
    );
    assert.equal(b.t.store.getKey(ref), undefined);
  });

  it('audit: generate, delete and sync are recorded with the reference, never material (sign is not audited)', async () => {
    const a = await nodeWithAlice(A);
    const b = await nodeWithAlice(B);
    const created = success(
      await a.t.send(a.alice, 'key-generate', {
        type: 'ec',
        curve: 'prime256v1',
        publicLabel: 'p',
        privateLabel: 'q',
        privateAttributes: ['sign=true'],
      }),
    ) as { keys: { ref: string }[]; copies: string[] };
    const priv = created.keys[1]!.ref;
    const ref = Number.parseInt(priv, 16);
    const clear = TEST_MASKING.openMaterial(ref, a.t.store.getKey(ref)!.material);
    success(
      await a.t.send(a.alice, 'crypto-sign', {
        ref: priv,
        mechanism: 'ecdsa',
        hash: 'sha256',
        digest: Buffer.alloc(32, 1).toString('base64'),
      }),
    );
    await syncKeys([member(a.t, A), member(b.t, B)], TEST_MASKING);
    success(await a.t.send(a.alice, 'key-delete', { ref: priv }));
    await syncKeys([member(a.t, A), member(b.t, B)], TEST_MASKING);
    const entries = [...a.t.store.listAudit(1000), ...b.t.store.listAudit(1000)];
    const text = JSON.stringify(entries);
    for (const secret of [
      clear.toString('hex'),
      clear.toString('base64'),
      ...created.copies.map((c) => c.slice(20, 60)),
    ])
      assert.ok(
        !text.toLowerCase().includes(secret.toLowerCase()),
        'key material or a sealed copy in the audit',
      );
    const ops = entries.map((e) => `${e.operation} ${e.target}`);
    assert.ok(
      ops.some((o) => /generate/i.test(o)),
      ops.join('; '),
    );
    assert.ok(
      ops.some((o) => /delete/i.test(o) && o.includes(priv)),
      ops.join('; '),
    );
    assert.ok(
      ops.some((o) => /sync/i.test(o)),
      ops.join('; '),
    );
  });
});
