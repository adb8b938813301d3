// Example: LocalHSM in a node:test suite. One cluster for the file, seeded from seed.yaml; the tests run
// cloudhsm-cli through cluster.cli() and a shell script of "the project" with the cluster's environment.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCluster } from 'localhsm';

const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' };
let cluster;

before(async () => {
  cluster = await startCluster({ hsms: 3, seed: fileURLToPath(new URL('./seed.yaml', import.meta.url)) });
});
after(() => cluster.stop());

test('the cluster starts activated with the seeded users', async () => {
  const { exitCode, json } = await cluster.cli(['user', 'list']);
  assert.equal(exitCode, 0);
  assert.deepEqual(
    json.data.users.map((u) => `${u.username}:${u.role}`),
    ['admin:admin', 'officer:admin', 'app_signer:crypto-user', 'app_user:internal(APPLIANCE_USER)'],
  );
});

test('single-command mode logs in from CLOUDHSM_ROLE / CLOUDHSM_PIN', async () => {
  const created = await cluster.cli(
    ['user', 'create', '--username', 'batch', '--role', 'crypto-user', '--password', 'batch-pass-1'],
    '',
    { env: ADMIN },
  );
  assert.deepEqual(created.json, { error_code: 0, data: { username: 'batch', role: 'crypto-user' } });
  const denied = await cluster.cli(['user', 'delete', '--username', 'batch', '--role', 'crypto-user']);
  assert.equal(denied.exitCode, 1);
  assert.equal(denied.json.data, 'You must be logged in to perform this operation');
});

test('a heredoc-style interactive session gets one envelope per command', async () => {
  const run = await cluster.cli(
    ['interactive'],
    'login --username officer --role admin --password officer-pass-1\nuser list\nlogout\nquit\n',
  );
  assert.equal(run.exitCode, 0);
  assert.equal(run.stdout.match(/"error_code": 0/g).length, 3);
});

test("the project's own shell script runs against the cluster through cluster.env", async () => {
  // What the project under test would do: its provisioning script calls the real cloudhsm-cli executable.
  const script =
    'cloudhsm-cli user change-password --username app_signer --role crypto-user --password "$NEW_PASSWORD"';
  const { stdout } = await promisify(execFile)('bash', ['-c', script], {
    env: { ...process.env, ...cluster.env, ...ADMIN, NEW_PASSWORD: 'signer-pass-2' },
  });
  assert.equal(JSON.parse(stdout).error_code, 0);
  const login = await cluster.cli(['logout'], '', {
    env: { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'app_signer:signer-pass-2' },
  });
  assert.equal(login.json.data, 'Logout successful');
});
