// key replicate on the node: the destination stores a key only from a seal its clone family made for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyDigest, sealKey } from '../../../src/hsm/keys/key-seal.js';
import { formatRef, parseRef } from '../../../src/hsm/keys/record.js';
import type { Session } from '../../../src/hsm/session.js';
import { TEST_MASKING } from '../../helpers/node.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../../helpers/typed-node.js';

const FAMILY = 'ab'.repeat(32);
const OTHER_FAMILY = 'cd'.repeat(32);
const SOURCE = 'cluster-aaaaaaaaaaa';
const DESTINATION = 'cluster-bbbbbbbbbbb';
const PASS = 'crypto-pass-1';

interface Side {
  t: TestNode;
  admin: Session;
  alice: Session;
  bob: Session;
}

async function side(clusterId: string, family: string, users = ['alice', 'bob']): Promise<Side> {
  const t = await startTestNode(undefined, { clone_family_key: family, cluster_id: clusterId });
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  for (const username of users)
    await t.ok(admin, 'user-create', { username, role: 'crypto-user', password: PASS });
  return {
    t,
    admin,
    alice: await t.login('alice', PASS, 'crypto-user'),
    bob: users.includes('bob') ? await t.login('bob', PASS, 'crypto-user') : admin,
  };
}

/** Source and destination of one clone family; alice's AES key on the source, shared with bob, quorum 2/2. */
async function pair(opts: { family?: string; users?: string[] } = {}) {
  const source = await side(SOURCE, FAMILY);
  const destination = await side(DESTINATION, opts.family ?? FAMILY, opts.users);
  const { keys } = await source.t.ok(source.alice, 'key-generate', {
    type: 'aes',
    label: 'example-key',
    keyLengthBytes: 16,
    share: ['bob'],
    manageQuorum: 2,
    useQuorum: 2,
  });
  return { source, destination, ref: keys[0]!.ref };
}

async function challenge(d: Side, session: Session, ref: string): Promise<string> {
  return (await d.t.ok(session, 'key-replicate-challenge', { ref })).challenge;
}

async function exported(
  s: Side,
  session: Session,
  ref: string,
  challenges: string[],
  destination = DESTINATION,
) {
  return s.t.ok(session, 'key-replicate-export', { ref, destinationClusterId: destination, challenges });
}

/** One whole round as `who` on both sides; returns the import's reply. */
async function round(s: Side, d: Side, who: 'alice' | 'admin', ref: string) {
  const c = await challenge(d, d[who], ref);
  const out = await exported(s, s[who], ref, [c]);
  return d.t.call(d[who], 'key-replicate-import', { ref, challenge: c, sealed: out.sealed[0]! });
}

describe('key replicate (node)', () => {
  it('copies the key with its reference, owner, shares, quorum values, attributes and material', async () => {
    const { source, destination, ref } = await pair();
    const reply = await round(source, destination, 'alice', ref);
    assert.ok(reply.ok, JSON.stringify(reply));
    const n = parseRef(ref)!;
    const [a, b] = [source.t.store.getKey(n)!, destination.t.store.getKey(n)!];
    const { material: ma, ...ra } = a;
    const { material: mb, ...rb } = b;
    assert.deepEqual(rb, ra);
    assert.equal(b.owner, 'alice');
    assert.deepEqual(b.shared, ['bob']);
    assert.deepEqual([b.manageQuorum, b.useQuorum], [2, 2]);
    assert.ok(TEST_MASKING.openMaterial(n, mb).equals(TEST_MASKING.openMaterial(n, ma)));
    assert.deepEqual((reply.result as { key: { ref: string } }).key.ref, ref);
    // The copy is a key of the destination: listed there, and its reference is never allocated again.
    const listed = await destination.t.ok(destination.bob, 'key-list', {
      filter: ['attr.label=example-key'],
      maxItems: 10,
      offset: 0,
      verbose: true,
    });
    assert.deepEqual(
      listed.keys.map((k) => k.ref),
      [ref],
    );
    const next = await destination.t.ok(destination.alice, 'key-generate', {
      type: 'aes',
      label: 'next',
      keyLengthBytes: 16,
    });
    assert.ok(parseRef(next.keys[0]!.ref)! > n);
  });

  it('is idempotent when the destination holds the identical key; refuses a different key under the reference', async () => {
    const { source, destination, ref } = await pair();
    assert.ok((await round(source, destination, 'alice', ref)).ok);
    const again = await round(source, destination, 'alice', ref);
    assert.ok(again.ok);
    assert.equal((again.result as { alreadyInEffect?: boolean }).alreadyInEffect, true);
    // The same reference with another attribute value on the destination (KR-4).
    const n = parseRef(ref)!;
    const held = destination.t.store.getKey(n)!;
    destination.t.store.updateKey({ ...held, attributes: { ...held.attributes, sign: false } });
    const conflict = await round(source, destination, 'alice', ref);
    assert.ok(!conflict.ok);
    assert.equal(conflict.error.code, 'ERR_KEY_EXISTS');
    assert.equal(
      destination.t.store.getKey(n)!.attributes['sign'],
      false,
      'the destination key is left as it was',
    );
  });

  it('refuses a reference the destination allocated to a key of its own', async () => {
    const source = await side(SOURCE, FAMILY);
    const destination = await side(DESTINATION, FAMILY);
    // Both start from the same allocation state, as a clone and its source do: the next keys collide.
    const mine = await destination.t.ok(destination.alice, 'key-generate', {
      type: 'aes',
      label: 'd',
      keyLengthBytes: 16,
    });
    const theirs = await source.t.ok(source.alice, 'key-generate', {
      type: 'aes',
      label: 's',
      keyLengthBytes: 16,
    });
    assert.equal(theirs.keys[0]!.ref, mine.keys[0]!.ref);
    const reply = await round(source, destination, 'alice', theirs.keys[0]!.ref);
    assert.ok(!reply.ok);
    assert.equal(reply.error.code, 'ERR_KEY_EXISTS');
  });

  it('refuses a forged or altered seal, and a seal of another clone family', async () => {
    const { source, destination, ref } = await pair();
    const c = await challenge(destination, destination.alice, ref);
    const out = await exported(source, source.alice, ref, [c]);
    const bytes = Buffer.from(out.sealed[0]!, 'base64');
    bytes[bytes.length - 20]! ^= 1;
    const altered = await destination.t.fails(destination.alice, 'key-replicate-import', {
      ref,
      challenge: c,
      sealed: bytes.toString('base64'),
    });
    assert.equal(altered.code, 'ERR_KEY_NOT_CLONES');
    // A client that makes its own record (an owner or material of its choosing) has no family key to seal it.
    const n = parseRef(ref)!;
    const planted = { ...source.t.store.getKey(n)!, owner: 'alice', attributes: { label: 'mine' } };
    const c2 = await challenge(destination, destination.alice, ref);
    const forged = await destination.t.fails(destination.alice, 'key-replicate-import', {
      ref,
      challenge: c2,
      sealed: sealKey(Buffer.from(OTHER_FAMILY, 'hex'), planted, {
        destinationClusterId: DESTINATION,
        challenge: c2,
        ref: n,
      }),
    });
    assert.equal(forged.code, 'ERR_KEY_NOT_CLONES');
    assert.equal(destination.t.store.getKey(n), undefined);
  });

  it('a copy sealed for client-side sync does not cross to a clone (only key replicate, with its checks, does)', async () => {
    const source = await side(SOURCE, FAMILY);
    const destination = await side(DESTINATION, FAMILY, ['alice']);
    const made = await source.t.ok(source.alice, 'key-generate', {
      type: 'aes',
      label: 'carried',
      keyLengthBytes: 16,
      share: ['bob'],
    });
    // The clone shares the masking key, yet the owner's copy of her own key is refused there.
    const reply = await destination.t.call(destination.alice, 'key-insert', { copy: made.copies[0]! });
    assert.ok(!reply.ok);
    assert.equal(reply.error.code, 'ERR_KEY_BLOB');
    assert.equal(destination.t.store.getKey(parseRef(made.keys[0]!.ref)!), undefined);
  });

  it('refuses to copy between clusters of different clone families', async () => {
    const { source, destination, ref } = await pair({ family: OTHER_FAMILY });
    const reply = await round(source, destination, 'alice', ref);
    assert.ok(!reply.ok);
    assert.equal(reply.error.code, 'ERR_KEY_NOT_CLONES');
  });

  it('refuses a replayed seal: a used challenge, another challenge, destination or reference', async () => {
    const { source, destination, ref } = await pair();
    const [c1, c2] = [
      await challenge(destination, destination.alice, ref),
      await challenge(destination, destination.alice, ref),
    ];
    const out = await exported(source, source.alice, ref, [c1]);
    const sealed = out.sealed[0]!;
    // Sealed for c1, presented with c2: c2 is used up and the seal does not open.
    assert.equal(
      (await destination.t.fails(destination.alice, 'key-replicate-import', { ref, challenge: c2, sealed }))
        .code,
      'ERR_KEY_NOT_CLONES',
    );
    assert.ok(
      (await destination.t.call(destination.alice, 'key-replicate-import', { ref, challenge: c1, sealed }))
        .ok,
    );
    // The same seal again: its challenge is gone.
    assert.equal(
      (await destination.t.fails(destination.alice, 'key-replicate-import', { ref, challenge: c1, sealed }))
        .code,
      'ERR_TOKEN_UNKNOWN',
    );
    // Sealed for another destination cluster.
    const c3 = await challenge(destination, destination.alice, ref);
    const elsewhere = await exported(source, source.alice, ref, [c3], 'cluster-ccccccccccc');
    assert.equal(
      (
        await destination.t.fails(destination.alice, 'key-replicate-import', {
          ref,
          challenge: c3,
          sealed: elsewhere.sealed[0]!,
        })
      ).code,
      'ERR_KEY_NOT_CLONES',
    );
    // Another session's challenge is none of this session's business.
    const c4 = await challenge(destination, destination.admin, ref);
    const out4 = await exported(source, source.alice, ref, [c4]);
    assert.equal(
      (
        await destination.t.fails(destination.alice, 'key-replicate-import', {
          ref,
          challenge: c4,
          sealed: out4.sealed[0]!,
        })
      ).code,
      'ERR_TOKEN_UNKNOWN',
    );
    // A challenge for another reference.
    const other = formatRef(parseRef(ref)! + 1);
    const c5 = await challenge(destination, destination.alice, other);
    const out5 = await exported(source, source.alice, ref, [c5]);
    assert.equal(
      (
        await destination.t.fails(destination.alice, 'key-replicate-import', {
          ref,
          challenge: c5,
          sealed: out5.sealed[0]!,
        })
      ).code,
      'ERR_TOKEN_UNKNOWN',
    );
  });

  it('crypto users must own the key on both sides; an admin may replicate', async () => {
    const { source, destination, ref } = await pair();
    // bob shares the key: he may use it, not replicate it.
    const c = await challenge(destination, destination.bob, ref);
    assert.equal(
      (
        await source.t.fails(source.bob, 'key-replicate-export', {
          ref,
          destinationClusterId: DESTINATION,
          challenges: [c],
        })
      ).code,
      'ERR_KEY_NOT_OWNER',
    );
    // A seal the owner (or an admin) had made, carried by bob on the destination: refused there too.
    const byAdmin = await exported(source, source.admin, ref, [c]);
    assert.equal(
      (
        await destination.t.fails(destination.bob, 'key-replicate-import', {
          ref,
          challenge: c,
          sealed: byAdmin.sealed[0]!,
        })
      ).code,
      'ERR_KEY_NOT_OWNER',
    );
    const admin = await round(source, destination, 'admin', ref);
    assert.ok(admin.ok, JSON.stringify(admin));
    assert.equal(destination.t.store.getKey(parseRef(ref)!)!.owner, 'alice');
  });

  it('the owner and the shared users must exist on the destination', async () => {
    const { source, destination, ref } = await pair({ users: ['alice'] });
    const reply = await round(source, destination, 'alice', ref);
    assert.ok(!reply.ok);
    assert.equal(reply.error.code, 'ERR_USER_NOT_FOUND');
    assert.equal(reply.error.message, 'User bob does not exist');
  });

  it('refuses the same cluster as destination and session keys', async () => {
    const { source, ref } = await pair();
    const c = await challenge(source, source.alice, ref);
    assert.equal(
      (
        await source.t.fails(source.alice, 'key-replicate-export', {
          ref,
          destinationClusterId: SOURCE,
          challenges: [c],
        })
      ).code,
      'ERR_REPLICATE_SAME_CLUSTER',
    );
    const session = await source.t.ok(source.alice, 'key-generate', {
      type: 'aes',
      label: 's',
      keyLengthBytes: 16,
      session: true,
    });
    assert.equal(
      (
        await source.t.fails(source.alice, 'key-replicate-export', {
          ref: session.keys[0]!.ref,
          destinationClusterId: DESTINATION,
          challenges: [c],
        })
      ).code,
      'ERR_KEY_NOT_SYNCHRONIZED',
    );
  });

  it('the digest tells HSMs apart that disagree on any attribute, and agrees on identical copies', async () => {
    const { source, ref } = await pair();
    const n = parseRef(ref)!;
    const family = Buffer.from(FAMILY, 'hex');
    const key = source.t.store.getKey(n)!;
    const remasked = {
      ...key,
      material: TEST_MASKING.sealMaterial(n, TEST_MASKING.openMaterial(n, key.material)),
    };
    assert.equal(keyDigest(family, TEST_MASKING, remasked), keyDigest(family, TEST_MASKING, key));
    const reordered = { ...key, attributes: Object.fromEntries(Object.entries(key.attributes).reverse()) };
    assert.equal(keyDigest(family, TEST_MASKING, reordered), keyDigest(family, TEST_MASKING, key));
    const changed = { ...key, attributes: { ...key.attributes, sign: !key.attributes['sign'] } };
    assert.notEqual(keyDigest(family, TEST_MASKING, changed), keyDigest(family, TEST_MASKING, key));
  });

  it('audits each step with the key reference only', async () => {
    const { source, destination, ref } = await pair();
    const before = [source.t.store.listAudit().length, destination.t.store.listAudit().length];
    assert.ok((await round(source, destination, 'alice', ref)).ok);
    const entries = [
      ...source.t.store.listAudit().slice(before[0]),
      ...destination.t.store.listAudit().slice(before[1]),
    ].filter((e) => e.operation.startsWith('key-replicate'));
    assert.deepEqual(
      entries.map((e) => [e.operation, e.target, e.result]),
      [
        ['key-replicate-export', ref, 'ok'],
        ['key-replicate-challenge', ref, 'ok'],
        ['key-replicate-import', ref, 'ok'],
      ],
    );
  });
});
