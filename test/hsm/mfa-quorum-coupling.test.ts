// Issue 14 item 4: a password change of an MFA user, and --deregister-mfa, remove the quorum key (spec §4.5).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Session } from '../../src/hsm/session.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../helpers/typed-node.js';
import { rsaKeys } from '../helpers/quorum.js';

const PASS = 'password-123';
const [mfaKey, quorumKey] = rsaKeys(2);

describe('MFA and quorum coupling on user change-password', () => {
  let t: TestNode;
  let admin: Session;
  const keysOf = (username: string) => {
    const user = t.store.getUser(username)!;
    return { mfa: user.mfaPublicKey, quorum: user.quorumPublicKey };
  };
  /** A crypto user holding the given keys (set in the store: how they were registered does not matter here). */
  const userWith = async (username: string, keys: { mfa?: string; quorum?: string }) => {
    await t.ok(admin, 'user-create', { username, role: 'crypto-user', password: PASS });
    const user = t.store.getUser(username)!;
    t.store.updateUser({ ...user, mfaPublicKey: keys.mfa ?? null, quorumPublicKey: keys.quorum ?? null });
  };
  const change = (session: Session, username: string, extra: object = {}) =>
    t.ok(session, 'user-change-password', {
      username,
      role: 'crypto-user',
      password: 'new-pass-1',
      ...extra,
    });

  beforeEach(async () => {
    t = await startTestNode();
    admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  });

  it("an admin's password change of an MFA user removes the quorum key and keeps the MFA key, audited", async () => {
    await userWith('carol', { mfa: mfaKey!.publicPem, quorum: mfaKey!.publicPem });
    assert.deepEqual(await change(admin, 'carol'), { username: 'carol', role: 'crypto-user' });
    assert.deepEqual(keysOf('carol'), { mfa: mfaKey!.publicPem, quorum: null });
    const entry = t.store.lastAudit()!;
    assert.deepEqual(
      [entry.actor, entry.operation, entry.target, entry.result],
      ['admin', 'user-change-password', 'carol', 'ok'],
    );
    // Also when the quorum key is another key than the MFA key: the guide's rule names no exception.
    await userWith('erin', { mfa: mfaKey!.publicPem, quorum: quorumKey!.publicPem });
    await change(admin, 'erin');
    assert.deepEqual(keysOf('erin'), { mfa: mfaKey!.publicPem, quorum: null });
  });

  it('the MFA user changing their own password loses the quorum key too', async () => {
    await userWith('carol', { quorum: mfaKey!.publicPem });
    const carol = await t.login('carol', PASS, 'crypto-user');
    // MFA enabled after the login (the way in, an MFA login, is not what this test is about).
    t.store.updateUser({ ...t.store.getUser('carol')!, mfaPublicKey: mfaKey!.publicPem });
    await change(carol, 'carol');
    assert.deepEqual(keysOf('carol'), { mfa: mfaKey!.publicPem, quorum: null });
  });

  it('--deregister-mfa removes the MFA key and the quorum key', async () => {
    await userWith('carol', { mfa: mfaKey!.publicPem, quorum: mfaKey!.publicPem });
    await change(admin, 'carol', { deregisterMfa: true });
    assert.deepEqual(keysOf('carol'), { mfa: null, quorum: null });
  });

  it('keeps the quorum key of a user without MFA, also with --deregister-mfa, unless --deregister-quorum', async () => {
    await userWith('dave', { quorum: quorumKey!.publicPem });
    await change(admin, 'dave');
    assert.deepEqual(keysOf('dave'), { mfa: null, quorum: quorumKey!.publicPem });
    await change(admin, 'dave', { deregisterMfa: true });
    assert.deepEqual(keysOf('dave'), { mfa: null, quorum: quorumKey!.publicPem });
    await change(admin, 'dave', { deregisterQuorum: false });
    assert.deepEqual(keysOf('dave'), { mfa: null, quorum: quorumKey!.publicPem });
    // change-mfa --deregister of a user without MFA keeps it as well (unless --change-quorum).
    await t.ok(admin, 'change-mfa-deregister', { username: 'dave', role: 'crypto-user', password: PASS });
    assert.deepEqual(keysOf('dave'), { mfa: null, quorum: quorumKey!.publicPem });
    await change(admin, 'dave', { deregisterQuorum: true });
    assert.deepEqual(keysOf('dave'), { mfa: null, quorum: null });
  });

  it('warns when it removes an approver a service needs; with the quorum guard on, refuses and changes nothing', async () => {
    await t.ok(admin, 'user-create', { username: 'admin2', role: 'admin', password: PASS });
    t.store.updateUser({ ...t.store.getUser('admin')!, quorumPublicKey: quorumKey!.publicPem });
    const admin2 = await t.login('admin2', PASS);
    t.store.updateUser({
      ...t.store.getUser('admin2')!,
      mfaPublicKey: mfaKey!.publicPem,
      quorumPublicKey: mfaKey!.publicPem,
    });
    await t.ok(admin, 'quorum-set-value', { service: 'quorum', value: 2 });
    const changeOwn = { username: 'admin2', role: 'admin', password: 'new-pass-1' };
    t.store.setSetting('quorum_guard', 'on');
    const before = t.store.getUser('admin2')!;
    const refused = await t.fails(admin2, 'user-change-password', changeOwn);
    assert.equal(
      refused.message,
      'Refused: deregistering the quorum key of admin2 would leave 1 quorum approver for service quorum, which needs 2 (refused by the quorum guard; use --allow-unmanageable to override)',
    );
    assert.deepEqual(t.store.getUser('admin2'), before);
    t.store.setSetting('quorum_guard', 'off');
    const done = await t.ok(admin2, 'user-change-password', changeOwn);
    assert.match(
      done.warning ?? '',
      /^warning: deregistering the quorum key of admin2 leaves 1 quorum approver for service quorum/,
    );
    assert.equal(t.store.getUser('admin2')!.quorumPublicKey, null);
    assert.equal(t.store.getUser('admin2')!.mfaPublicKey, mfaKey!.publicPem);
  });
});
