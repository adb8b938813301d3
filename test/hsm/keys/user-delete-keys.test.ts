// Deleting a user who owns or shares keys (spec §2.3, §19.15): an owner cannot be deleted; a shared user's shares
// go with it, unless a key's quorum values need it (then the delete is refused and nothing changes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '../../../src/hsm/session.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../../helpers/typed-node.js';

const PASS = 'crypto-pass-1';

async function cluster(): Promise<{ t: TestNode; admin: Session; alice: Session }> {
  const t = await startTestNode();
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  for (const u of ['alice', 'bob', 'carol'])
    await t.ok(admin, 'user-create', { username: u, role: 'crypto-user', password: PASS });
  return { t, admin, alice: await t.login('alice', PASS, 'crypto-user') };
}

const del = (username: string) => ({ username, role: 'crypto-user' });

describe('deleting a user who owns or shares keys', () => {
  it('refuses to delete an owner; deletes a shared user with its shares, so a new user of that name gets nothing', async () => {
    const { t, admin, alice } = await cluster();
    const made = await t.ok(alice, 'key-generate', {
      type: 'aes',
      label: 'k',
      keyLengthBytes: 16,
      share: ['bob'],
    });
    await t.ok(alice, 'logout', {});
    assert.equal(
      (await t.fails(admin, 'user-delete', del('alice'))).message,
      'User owns keys and cannot be deleted',
    );
    await t.ok(admin, 'user-delete', del('bob'));
    const ref = Number.parseInt(made.keys[0]!.ref, 16);
    assert.deepEqual(t.store.getKey(ref)!.shared, []);
    await t.ok(admin, 'user-create', { username: 'bob', role: 'crypto-user', password: PASS });
    const bob = await t.login('bob', PASS, 'crypto-user');
    assert.equal(
      (await t.ok(bob, 'key-list', { filter: [], maxItems: 10, offset: 0, verbose: true })).total,
      0,
    );
  });

  it("refuses to delete a shared user whom a key's quorum values need, and changes nothing", async () => {
    const { t, admin, alice } = await cluster();
    const made = await t.ok(alice, 'key-generate', {
      type: 'aes',
      label: 'q',
      keyLengthBytes: 16,
      share: ['bob', 'carol'],
      manageQuorum: 2,
      useQuorum: 3,
    });
    const ref = Number.parseInt(made.keys[0]!.ref, 16);
    // Owner + bob + carol = 3 associated users; the use-key quorum value 3 needs all of them.
    const refused = await t.fails(admin, 'user-delete', del('bob'));
    assert.equal(
      refused.message,
      `User bob cannot be deleted: key ${made.keys[0]!.ref} is shared with it and its quorum values need 3 associated users; the key's owner must share it with another crypto user first`,
    );
    assert.ok(t.store.getUser('bob'));
    assert.deepEqual(t.store.getKey(ref)!.shared, ['bob', 'carol']);
    // A key without quorum values loses the share as usual; the quorum key still blocks.
    await t.ok(alice, 'key-generate', { type: 'aes', label: 'plain', keyLengthBytes: 16, share: ['carol'] });
    assert.equal((await t.fails(admin, 'user-delete', del('carol'))).code, 'ERR_USER_KEY_QUORUM');
    // Once the owner deletes the quorum key, both users can go.
    await t.ok(alice, 'key-delete', { ref: made.keys[0]!.ref });
    await t.ok(admin, 'user-delete', del('bob'));
    await t.ok(admin, 'user-delete', del('carol'));
  });
});
