// Golden transcripts: the real bin/cloudhsm-cli against a real detached cluster, every command of the user
// plane in single-command mode and one heredoc-driven interactive session, compared with test/golden/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { matchGolden, normalise } from '../helpers/golden.js';
import { cloudhsmCli, downIfPresent, upDetached } from '../helpers/processes.js';

interface Step {
  name: string;
  env?: Record<string, string>;
  args: string[];
  input?: string;
  exit: number;
}

const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' };
const ALICE = { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'alice:alice-pass-2' };

/** In order: each step sees the state the steps before it left. */
const STEPS: Step[] = [
  { name: 'user-list-new-cluster', args: ['user', 'list'], exit: 0 },
  { name: 'cluster-activate', args: ['cluster', 'activate', '--password', 'admin-pass-1'], exit: 0 },
  {
    name: 'login',
    args: ['login', '--username', 'admin', '--role', 'admin', '--password', 'admin-pass-1'],
    exit: 0,
  },
  {
    name: 'login-prompted',
    args: ['login', '--username', 'Admin', '--role', 'admin'],
    input: 'admin-pass-1\n',
    exit: 0,
  },
  {
    name: 'login-wrong-password',
    args: ['login', '--username', 'admin', '--role', 'admin', '--password', 'not-the-password'],
    exit: 1,
  },
  { name: 'login-usage-error', args: ['login', '--username', 'admin'], exit: 2 },
  {
    name: 'user-create',
    env: ADMIN,
    args: ['user', 'create', '--username', 'alice', '--role', 'crypto-user', '--password', 'alice-pass-1'],
    exit: 0,
  },
  {
    name: 'user-create-prompted',
    env: ADMIN,
    args: ['user', 'create', '--username', 'Bob', '--role', 'admin'],
    input: 'bob-pass-1\nbob-pass-1\n',
    exit: 0,
  },
  {
    name: 'user-create-invalid-username',
    env: ADMIN,
    args: ['user', 'create', '--username', 'bad-name', '--role', 'crypto-user', '--password', 'carol-pass-1'],
    exit: 1,
  },
  {
    name: 'user-create-not-logged-in',
    args: ['user', 'create', '--username', 'carol', '--role', 'crypto-user', '--password', 'carol-pass-1'],
    exit: 1,
  },
  {
    name: 'user-change-password',
    env: ADMIN,
    args: [
      'user',
      'change-password',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      'alice-pass-2',
    ],
    exit: 0,
  },
  {
    name: 'user-change-password-self-prompted',
    env: ALICE,
    args: ['user', 'change-password', '--username', 'alice', '--role', 'crypto-user'],
    input: 'alice-pass-2\nalice-pass-2\n',
    exit: 0,
  },
  {
    name: 'user-change-password-other-denied',
    env: ALICE,
    args: ['user', 'change-password', '--username', 'bob', '--role', 'admin', '--password', 'bob-pass-2'],
    exit: 1,
  },
  {
    name: 'user-create-denied',
    env: ALICE,
    args: ['user', 'create', '--username', 'carol', '--role', 'crypto-user', '--password', 'carol-pass-1'],
    exit: 1,
  },
  { name: 'user-list', args: ['user', 'list'], exit: 0 },
  {
    name: 'user-delete',
    env: ADMIN,
    args: ['user', 'delete', '--username', 'bob', '--role', 'admin'],
    exit: 0,
  },
  {
    name: 'user-delete-self',
    env: ADMIN,
    args: ['user', 'delete', '--username', 'admin', '--role', 'admin'],
    exit: 1,
  },
  {
    name: 'user-delete-wrong-role',
    env: ADMIN,
    args: ['user', 'delete', '--username', 'alice', '--role', 'admin'],
    exit: 1,
  },
  {
    name: 'user-delete-denied',
    env: ALICE,
    args: ['user', 'delete', '--username', 'admin', '--role', 'admin'],
    exit: 1,
  },
  { name: 'logout', env: ADMIN, args: ['logout'], exit: 0 },
  { name: 'logout-not-logged-in', args: ['logout'], exit: 1 },
  {
    name: 'bad-cloudhsm-pin',
    env: { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin' },
    args: ['user', 'delete', '--username', 'alice', '--role', 'crypto-user'],
    exit: 1,
  },
  { name: 'user-usage-error', args: ['user', 'remove', '--username', 'alice'], exit: 2 },
  { name: 'user-change-password-help', args: ['user', 'change-password', '--help'], exit: 0 },
  { name: 'user-list-final', args: ['user', 'list'], exit: 0 },
];

const SESSION = `user list
login --username admin --role admin --password admin-pass-1
user create --username dave --role crypto-user --password dave-pass-1
user create --username dave --role crypto-user --password other-pass-1
user xyzzy
user change-password --username dave --role crypto-user
dave-pass-2
dave-pass-2
help user delete
user delete --username dave --role crypto-user
logout
user delete --username alice --role crypto-user
quit
user list
`;

function commandLine(step: { env?: Record<string, string>; args: string[] }): string {
  const env = Object.entries(step.env ?? {}).map(([k, v]) => `${k}=${v} `);
  return `${env.join('')}cloudhsm-cli ${step.args.map((a) => (/^[\w.:/=-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;
}

describe('golden transcripts of cloudhsm-cli against a real cluster', () => {
  let root: string;
  let state: string;
  before(async () => {
    root = tempDir('localhsm-golden-');
    state = path.join(root, 'state');
    await upDetached(state);
  });
  after(async () => {
    await downIfPresent(state);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the normaliser replaces paths, ports, cluster and HSM ids', () => {
    assert.equal(
      normalise(
        '/tmp/x/state/cloudhsm-cli.cfg HSM at 127.0.0.1:40123 cluster-abcdefghij2 hsm-zz2345abcde LHSM-0A1B2C3D4E5F',
        '/tmp/x/state',
      ),
      '<STATE>/cloudhsm-cli.cfg HSM at 127.0.0.1:<PORT> <CLUSTER_ID> <HSM_ID> <SERIAL>',
    );
  });

  for (const step of STEPS) {
    it(`${step.name}: ${commandLine(step)}`, async () => {
      const run = await cloudhsmCli(state, step.args, { env: step.env, input: step.input });
      assert.equal(run.exitCode, step.exit, run.stdout + run.stderr);
      matchGolden(step.name, { command: commandLine(step), input: step.input, run }, state);
    });
  }

  it('an interactive session fed from a heredoc', async () => {
    const run = await cloudhsmCli(state, ['interactive'], { input: SESSION });
    assert.equal(run.exitCode, 0);
    matchGolden(
      'interactive-heredoc',
      { command: "cloudhsm-cli interactive <<'EOF'", input: SESSION + 'EOF\n', run },
      state,
    );
  });
});
