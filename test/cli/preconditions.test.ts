// Preconditions answered before any password prompt (issue 15 item 2): not logged in, already logged in,
// wrong role, quorum approval missing. stdin is closed or scripted, so a prompt would show as an input error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { dialog } from '../helpers/dialog.js';
import { testKeyPair } from '../helpers/keys.js';

const ADMIN_PASS = 'admin-pass-1';
const ALICE_PASS = 'alice-pass-1';
const SEED = {
  users: [
    {
      username: 'admin',
      role: 'admin' as const,
      password: ADMIN_PASS,
      quorumPublicKey: testKeyPair('q-admin').publicPem,
    },
    {
      username: 'officer',
      role: 'admin' as const,
      password: 'officer-pass-1',
      quorumPublicKey: testKeyPair('q-officer').publicPem,
    },
    { username: 'alice', role: 'crypto-user' as const, password: ALICE_PASS },
  ],
  quorumValues: { user: 2 },
};
const CREATE_BOB = ['user', 'create', '--username', 'bob', '--role', 'crypto-user'];

describe('preconditions before secrets (2 HSMs, user quorum 2)', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ hsms: 2, seed: SEED });
  });
  after(async () => {
    await cluster.close();
  });

  const noPrompt = (run: { stderr: string }) => {
    assert.doesNotMatch(run.stderr, /Enter password|Input ended/);
  };

  it('user create while logged out: the not-logged-in error, no password read', async () => {
    const run = await dialog(cluster.dir, CREATE_BOB, []);
    assert.deepEqual(run.json, { error_code: 1, data: 'You must be logged in to perform this operation' });
    noPrompt(run);
  });

  it('user create as a crypto user: permission denied before the prompt', async () => {
    const run = await cluster.as('crypto-user', 'alice', ALICE_PASS, CREATE_BOB, '');
    assert.deepEqual(run.json, {
      error_code: 1,
      data: 'Permission denied: the crypto-user role cannot create users',
    });
    noPrompt(run);
  });

  it('user create without the approval the user service needs: says so and how to get one', async () => {
    const run = await cluster.as('admin', 'admin', ADMIN_PASS, CREATE_BOB, '');
    assert.deepEqual(run.json, { error_code: 1, data: 'Quorum approval is required for this operation' });
    assert.match(
      run.stderr,
      /the user service needs 2 approvals: run quorum token-sign generate --service user/,
    );
    noPrompt(run);
  });

  it("an admin changing another user's password without approval: refused before the prompt", async () => {
    const args = ['user', 'change-password', '--username', 'alice', '--role', 'crypto-user'];
    const run = await cluster.as('admin', 'admin', ADMIN_PASS, args, '');
    assert.deepEqual(run.json, { error_code: 1, data: 'Quorum approval is required for this operation' });
    noPrompt(run);
  });

  it("a crypto user changing another user's MFA: permission denied before the prompt", async () => {
    const args = [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      'officer',
      '--role',
      'admin',
      '--deregister',
    ];
    const run = await cluster.as('crypto-user', 'alice', ALICE_PASS, args, '');
    assert.deepEqual(run.json, {
      error_code: 1,
      data: "Permission denied: the crypto-user role cannot change another user's MFA",
    });
    noPrompt(run);
  });

  it("an admin changing an unknown user's MFA, or a user's under another role: the node's answer, before the prompt", async () => {
    const mfa = (username: string, role: string) =>
      cluster.as(
        'admin',
        'admin',
        ADMIN_PASS,
        ['user', 'change-mfa', 'token-sign', '--username', username, '--role', role, '--token', 'mfa.json'],
        '',
      );
    const unknown = await mfa('nobody', 'crypto-user');
    assert.deepEqual(unknown.json, { error_code: 1, data: 'User nobody does not exist' });
    noPrompt(unknown);
    const mismatch = await mfa('alice', 'admin');
    assert.deepEqual(mismatch.json, { error_code: 1, data: 'User alice does not have the role admin' });
    noPrompt(mismatch);
  });

  it('a change that needs no approval still prompts (own password)', async () => {
    const args = ['user', 'change-password', '--username', 'alice', '--role', 'crypto-user'];
    const run = await cluster.as('crypto-user', 'alice', ALICE_PASS, args, 'alice-pass-2\nalice-pass-2\n');
    assert.deepEqual(run.json, { error_code: 0, data: { username: 'alice', role: 'crypto-user' } });
    assert.match(run.stderr, /Enter password:/);
    const back = [
      'user',
      'change-password',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      ALICE_PASS,
    ];
    assert.equal((await cluster.as('crypto-user', 'alice', 'alice-pass-2', back)).json?.error_code, 0);
  });

  it('login while logged in (password or MFA): already logged in, before the prompt', async () => {
    // One dialog per command, the command last: stdin ends after it, so a prompt fails instead of waiting.
    for (const second of [
      'login --username alice --role crypto-user',
      'login --username alice --role crypto-user mfa-token-sign --token t.json',
    ]) {
      const run = await dialog(
        cluster.dir,
        ['interactive'],
        [
          {
            prompt: 'aws-cloudhsm > ',
            answer: `login --username admin --role admin --password ${ADMIN_PASS}`,
          },
          { prompt: 'aws-cloudhsm > ', answer: second },
        ],
      );
      const envelopes = run.stdout
        .split(/\n(?=\{)/)
        .filter((t) => t.trim())
        .map((t) => JSON.parse(t) as { error_code: number; data: unknown });
      assert.deepEqual(envelopes, [
        { error_code: 0, data: { username: 'admin', role: 'admin' } },
        { error_code: 1, data: 'User admin is already logged in; log out first' },
      ]);
      noPrompt(run);
    }
  });
});
