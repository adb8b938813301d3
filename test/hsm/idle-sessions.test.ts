// Idle sessions expire on the node whatever their client does: an idle login blocks no admin action.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NODE_ADMIN_PASSWORD, makeNode, refusal, success } from '../helpers/node.js';

describe('an idle login session', () => {
  async function nodeWithBobLoggedIn() {
    const test = await makeNode({ activated: true, settings: { session_idle_seconds: '300' } });
    const admin = await test.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    success(
      await test.send(admin, 'user-create', { username: 'bob', role: 'crypto-user', password: 'bob-pass-1' }),
    );
    const bob = await test.loginSession('bob', 'crypto-user', 'bob-pass-1');
    return { test, bob };
  }

  it('keeps its user logged in while it is younger than session_idle_seconds', async () => {
    const { test } = await nodeWithBobLoggedIn();
    test.clock.advance(299);
    const admin = await test.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    const reset = { username: 'bob', role: 'crypto-user', password: 'reset-pass-1' };
    assert.equal(refusal(await test.send(admin, 'user-change-password', reset)).code, 'ERR_USER_LOGGED_IN');
  });

  it('counts as logged out once idle past session_idle_seconds, though its client never spoke again', async () => {
    const { test, bob } = await nodeWithBobLoggedIn();
    test.clock.advance(301);
    const admin = await test.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    const reset = { username: 'bob', role: 'crypto-user', password: 'reset-pass-1' };
    success(await test.send(admin, 'user-change-password', reset));
    success(await test.send(admin, 'user-delete', { username: 'bob', role: 'crypto-user' }));
    assert.equal(test.node.sessions.loggedIn(bob), false);
    assert.equal(refusal(await test.send(bob, 'logout', {})).code, 'ERR_NOT_LOGGED_IN');
  });
});
