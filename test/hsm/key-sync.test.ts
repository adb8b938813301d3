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
      updated: 0,
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
      updated: 0,
      deleted: 1,
      unreachable: [],
      conflicts: [],
    });
    assert.equal(b.t.store.getKey(ref), undefined);
    assert.deepEqual(await syncKeys(members, TEST_MASKING), {
      copied: 0,
      updated: 0,
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

  it('carries attribute, share and unshare changes an HSM missed: the higher version wins, a stale copy never rolls back', async () => {
    const a = await nodeWithAlice(A);
    const b = await nodeWithAlice(B);
    for (const n of [a, b]) {
      const admin = await n.t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
      for (const username of ['bob', 'carol'])
        success(
          await n.t.send(admin, 'user-create', { username, role: 'crypto-user', password: 'pass-word-1' }),
        );
    }
    const created = success(
      await a.t.send(a.alice, 'key-generate', { type: 'aes', label: 'k', keyLengthBytes: 32 }),
    ) as { keys: { ref: string }[]; copies: string[] };
    const hex = created.keys[0]!.ref;
    const ref = Number.parseInt(hex, 16);
    success(await b.t.send(b.alice, 'key-insert', { copy: created.copies[0] }));
    const members = [member(a.t, A), member(b.t, B)];

    // B is "down": the changes reach A only.
    success(await a.t.send(a.alice, 'key-set-attribute', { ref: hex, name: 'decrypt', value: 'true' }));
    success(await a.t.send(a.alice, 'key-set-attribute', { ref: hex, name: 'label', value: 'renamed' }));
    success(await a.t.send(a.alice, 'key-share', { ref: hex, username: 'bob', role: 'crypto-user' }));
    success(await a.t.send(a.alice, 'key-share', { ref: hex, username: 'carol', role: 'crypto-user' }));
    success(await a.t.send(a.alice, 'key-unshare', { ref: hex, username: 'bob', role: 'crypto-user' }));
    assert.equal(a.t.store.getKey(ref)!.version, 5);
    assert.equal(b.t.store.getKey(ref)!.version ?? 0, 0);
    const staleCopy = success(
      await b.t.send(b.alice, 'key-list', { filter: [], maxItems: 10, offset: 0, verbose: true }),
    );
    assert.equal((staleCopy as { keys: { attributes: { label: string } }[] }).keys[0]!.attributes.label, 'k');

    assert.deepEqual(await syncKeys(members, TEST_MASKING), {
      copied: 0,
      updated: 1,
      deleted: 0,
      unreachable: [],
      conflicts: [],
    });
    const onA = a.t.store.getKey(ref)!;
    const onB = b.t.store.getKey(ref)!;
    const { material: _ma, ...metaA } = onA;
    const { material: _mb, ...metaB } = onB;
    assert.deepEqual(metaB, metaA);
    assert.equal(onB.label, 'renamed');
    assert.equal(onB.attributes.decrypt, true);
    assert.deepEqual(onB.shared, ['carol']);
    // The material is still the same key on B.
    assert.deepEqual(
      TEST_MASKING.openMaterial(ref, onB.material),
      TEST_MASKING.openMaterial(ref, onA.material),
    );
    // Nothing left to do.
    assert.equal((await syncKeys(members, TEST_MASKING)).updated, 0);

    // An old copy (the creation's, version 0) carried by the appliance itself never replaces the newer version.
    const args = { copies: [created.copies[0]!], tombstones: [] };
    const proof = TEST_MASKING.applianceProof(applianceMessage('key-sync-apply', B, args));
    const applied = success(await b.t.send(b.alice, 'key-sync-apply', { proof, ...args }));
    assert.deepEqual(applied, { inserted: 0, updated: 0, deleted: 0, conflicts: [] });
    assert.equal(b.t.store.getKey(ref)!.label, 'renamed');
    // Nor can the owner push it as a client: key-insert of a key this HSM holds differently is refused.
    assert.match(
      refusal(await b.t.send(b.alice, 'key-insert', { copy: created.copies[0] })).message,
      /already exists on this HSM with different contents/,
    );
    assert.equal(b.t.store.getKey(ref)!.label, 'renamed');
  });

  it('two HSMs changed apart to the same version: both converge to one of them, the same on each', async () => {
    const a = await nodeWithAlice(A);
    const b = await nodeWithAlice(B);
    const created = success(
      await a.t.send(a.alice, 'key-generate', { type: 'aes', label: 'k', keyLengthBytes: 16 }),
    ) as { keys: { ref: string }[]; copies: string[] };
    const hex = created.keys[0]!.ref;
    const ref = Number.parseInt(hex, 16);
    success(await b.t.send(b.alice, 'key-insert', { copy: created.copies[0] }));
    success(await a.t.send(a.alice, 'key-set-attribute', { ref: hex, name: 'label', value: 'from-a' }));
    success(await b.t.send(b.alice, 'key-set-attribute', { ref: hex, name: 'label', value: 'from-b' }));
    const report = await syncKeys([member(a.t, A), member(b.t, B)], TEST_MASKING);
    assert.equal(report.updated, 1);
    const labels = [a.t.store.getKey(ref)!.label, b.t.store.getKey(ref)!.label];
    assert.equal(labels[0], labels[1]);
    assert.ok(['from-a', 'from-b'].includes(labels[0]!));
    assert.equal(a.t.store.getKey(ref)!.version, b.t.store.getKey(ref)!.version);
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
