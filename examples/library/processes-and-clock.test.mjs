// Example: HSMs as separate processes, a seed given as an object (with an MFA key made in the test), failure
// injection, and the dev clock. Closest to how a CI job uses `localhsm up`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { startCluster } from 'localhsm';

const alice = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
let cluster;

before(async () => {
  cluster = await startCluster({
    hsms: 2,
    processes: true,
    devClock: true,
    seed: {
      users: [
        { username: 'admin', role: 'admin', password: 'admin-pass-1' },
        {
          username: 'alice',
          role: 'crypto-user',
          password: 'alice-pass-1',
          mfaPublicKey: alice.publicKey.export({ type: 'spki', format: 'pem' }),
        },
      ],
      timeouts: { sessionIdle: '10m' },
    },
  });
});
after(() => cluster.stop());

test('the seeded MFA user is enabled on every HSM', async () => {
  const { json } = await cluster.cli(['user', 'list']);
  const row = json.data.users.find((u) => u.username === 'alice');
  assert.deepEqual([row.mfa[0].status, row['cluster-coverage']], ['enabled', 'full']);
});

test('an HSM that fails: commands warn and report the partial failure', async () => {
  await cluster.stopHsm(1);
  const create = await cluster.cli(
    ['user', 'create', '--username', 'bob', '--role', 'crypto-user', '--password', 'bob-pass-12'],
    '',
    {
      env: { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' },
    },
  );
  assert.equal(create.json.data, 'User create failed on 1 of 2 connections');
  assert.match(create.stderr, /did not answer/);
  await cluster.startHsm(1);
});

test('the dev clock moves every HSM (token timeouts and idle sessions follow it)', async () => {
  await cluster.advanceTime('11m');
  const shown = execFileSync('localhsm', ['time', 'show'], {
    env: { ...process.env, ...cluster.env },
    encoding: 'utf8',
  });
  assert.match(shown, /\(system clock \+ 11m\) on 2 HSM\(s\)\.$/m);
  await cluster.resetTime();
});
