// Single-command mode: CLOUDHSM_ROLE / CLOUDHSM_PIN, their errors, usage errors (exit 2) and --help (exit 0).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, runCli, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';

const PIN_ERROR = { error_code: 1, data: 'CLOUDHSM_PIN must have the form <username>:<password>' };
const ROLE_ERROR = { error_code: 1, data: 'CLOUDHSM_ROLE must be admin or crypto-user' };

describe('single-command mode', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster();
    const run = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'henry',
      '--role',
      'crypto-user',
      '--password',
      'henry-pass-1',
    ]);
    assert.equal(run.json?.error_code, 0);
  });
  after(() => cluster.close());

  const withEnv = (env: NodeJS.ProcessEnv, args: string[], input?: string) =>
    cluster.cli(args, { env, input });
  const failedLogins = (username: string) =>
    cluster.nodes.map((n) => n!.node.store.getUser(username)!.failedLogins);
  const CHANGE_OWN = [
    'user',
    'change-password',
    '--username',
    'henry',
    '--role',
    'crypto-user',
    '--password',
    'henry-pass-1',
  ];

  it('logs in from CLOUDHSM_ROLE and CLOUDHSM_PIN (username case-insensitive) before the command', async () => {
    const run = await withEnv(
      { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'HENRY:henry-pass-1' },
      CHANGE_OWN,
    );
    assert.deepEqual(
      { exit: run.exitCode, json: run.json, stderr: run.stderr },
      { exit: 0, json: { error_code: 0, data: { username: 'henry', role: 'crypto-user' } }, stderr: '' },
    );
  });

  it('splits CLOUDHSM_PIN at the first colon: the rest, colons included, is the password', async () => {
    assert.deepEqual(failedLogins('henry'), [0, 0, 0]);
    const run = await withEnv(
      { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'henry:henry-pass-1:extra' },
      CHANGE_OWN,
    );
    assert.deepEqual(
      { exit: run.exitCode, json: run.json },
      { exit: 1, json: { error_code: 1, data: 'Incorrect authentication credentials' } },
    );
    // Counted against henry on every HSM: the username was "henry", not "henry:henry-pass-1".
    assert.deepEqual(failedLogins('henry'), [1, 1, 1]);
    const good = await withEnv(
      { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'henry:henry-pass-1' },
      CHANGE_OWN,
    );
    assert.equal(good.json?.error_code, 0);
    assert.deepEqual(failedLogins('henry'), [0, 0, 0]);
  });

  for (const [pin, why] of [
    ['henry', 'no colon'],
    [':henry-pass-1', 'an empty username'],
    ['', 'an empty value'],
  ] as const) {
    it(`refuses a CLOUDHSM_PIN with ${why} with the clear error, before any login`, async () => {
      const run = await withEnv({ CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: pin }, CHANGE_OWN);
      assert.deepEqual(
        { exit: run.exitCode, json: run.json, stderr: run.stderr },
        { exit: 1, json: PIN_ERROR, stderr: '' },
      );
      assert.deepEqual(failedLogins('henry'), [0, 0, 0]);
    });
  }

  it('refuses CLOUDHSM_ROLE set without CLOUDHSM_PIN', async () => {
    const run = await withEnv({ CLOUDHSM_ROLE: 'admin' }, [
      'user',
      'delete',
      '--username',
      'henry',
      '--role',
      'crypto-user',
    ]);
    assert.deepEqual({ exit: run.exitCode, json: run.json }, { exit: 1, json: PIN_ERROR });
  });

  for (const role of ['root', 'Admin', 'crypto_user', '']) {
    it(`refuses CLOUDHSM_ROLE=${JSON.stringify(role)} with the clear error`, async () => {
      const run = await withEnv({ CLOUDHSM_ROLE: role, CLOUDHSM_PIN: 'henry:henry-pass-1' }, CHANGE_OWN);
      assert.deepEqual(
        { exit: run.exitCode, json: run.json, stderr: run.stderr },
        { exit: 1, json: ROLE_ERROR, stderr: '' },
      );
    });
  }

  it('commands that need no login ignore CLOUDHSM_ROLE / CLOUDHSM_PIN, even malformed', async () => {
    const run = await withEnv({ CLOUDHSM_ROLE: 'root', CLOUDHSM_PIN: 'garbage' }, ['user', 'list']);
    assert.equal(run.exitCode, 0);
    assert.equal(run.json?.error_code, 0);
  });

  it('a command that needs a login, run without CLOUDHSM_*, is refused by the HSMs', async () => {
    const run = await cluster.cli(['user', 'delete', '--username', 'henry', '--role', 'crypto-user']);
    assert.deepEqual(
      { exit: run.exitCode, json: run.json, stderr: run.stderr },
      {
        exit: 1,
        json: { error_code: 1, data: 'You must be logged in to perform this operation' },
        stderr: '',
      },
    );
  });

  it('logout logs in from the environment and then out', async () => {
    const run = await withEnv({ CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'henry:henry-pass-1' }, [
      'logout',
    ]);
    assert.deepEqual(
      { exit: run.exitCode, json: run.json },
      { exit: 0, json: { error_code: 0, data: 'Logout successful' } },
    );
    const bare = await cluster.cli(['logout']);
    assert.deepEqual(
      { exit: bare.exitCode, json: bare.json },
      { exit: 1, json: { error_code: 1, data: 'You must be logged in to perform this operation' } },
    );
  });

  it('prompts for a password not given as an option (stdin), confirming a new one', async () => {
    const run = await withEnv(
      { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'henry:henry-pass-1' },
      CHANGE_OWN.slice(0, 6),
      'henry-pass-1\nhenry-pass-1\n',
    );
    assert.deepEqual(
      { exit: run.exitCode, json: run.json, stderr: run.stderr },
      {
        exit: 0,
        json: { error_code: 0, data: { username: 'henry', role: 'crypto-user' } },
        stderr: 'Enter password:\nConfirm password:\n',
      },
    );
    const closed = await withEnv(
      { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'henry:henry-pass-1' },
      CHANGE_OWN.slice(0, 6),
      'only-one-line\n',
    );
    assert.deepEqual(closed.json, {
      error_code: 1,
      data: 'Input ended before a value was entered for: Confirm password:',
    });
  });
});

describe('single-command usage errors and help (no cluster needed)', () => {
  const STATE = '/nonexistent/localhsm-state';
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { state: STATE, env });
  const usage = (first: string, usageLine: string) =>
    `error: ${first}\n\n${usageLine}\n\nFor more information, try '--help'.\n`;

  const USAGE_ERRORS: [string[], string][] = [
    [['xyzzy'], usage("unrecognized subcommand 'xyzzy'", 'Usage: cloudhsm-cli <COMMAND>')],
    [
      ['user', 'xyzzy'],
      usage("unrecognized subcommand 'xyzzy'", 'Usage: cloudhsm-cli user <COMMAND>'),
    ],
    [
      ['user', 'create', '--username', 'x'],
      usage(
        'the following required arguments were not provided:\n  --role <ROLE>',
        'Usage: cloudhsm-cli user create [OPTIONS] --username <USERNAME> --role <ROLE>',
      ),
    ],
    [
      ['user', 'delete'],
      usage(
        'the following required arguments were not provided:\n  --username <USERNAME>\n  --role <ROLE>',
        'Usage: cloudhsm-cli user delete [OPTIONS] --username <USERNAME> --role <ROLE>',
      ),
    ],
    [
      ['user', 'list', '--verbose'],
      usage("unexpected argument '--verbose' found", 'Usage: cloudhsm-cli user list [OPTIONS]'),
    ],
    [
      ['login', '--username'],
      usage(
        "a value is required for '--username <USERNAME>' but none was supplied",
        'Usage: cloudhsm-cli login [OPTIONS] --username <USERNAME> --role <ROLE>',
      ),
    ],
    [
      ['login', '--username', 'a', '--username', 'b', '--role', 'admin'],
      usage(
        "the argument '--username <USERNAME>' cannot be used multiple times",
        'Usage: cloudhsm-cli login [OPTIONS] --username <USERNAME> --role <ROLE>',
      ),
    ],
    [
      ['login', '--username', 'a', '--role', 'unactivated-admin'],
      usage(
        "invalid value 'unactivated-admin' for '--role <ROLE>'\n  [possible values: crypto-user, admin]",
        'Usage: cloudhsm-cli login [OPTIONS] --username <USERNAME> --role <ROLE>',
      ),
    ],
    [['logout', 'now'], usage("unexpected argument 'now' found", 'Usage: cloudhsm-cli logout [OPTIONS]')],
  ];

  for (const [args, stderr] of USAGE_ERRORS) {
    it(`cloudhsm-cli ${args.join(' ')}: exit 2, clap-style message on stderr, nothing on stdout`, async () => {
      // A valid login in the environment changes nothing: parsing fails before any connection.
      const run = await cli(args, { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:whatever-1' });
      assert.deepEqual(
        { exit: run.exitCode, stdout: run.stdout, stderr: run.stderr },
        { exit: 2, stdout: '', stderr },
      );
    });
  }

  it('--help, -h and help <command> print help on stdout and exit 0', async () => {
    const top = await cli(['--help']);
    assert.deepEqual({ exit: top.exitCode, stderr: top.stderr }, { exit: 0, stderr: '' });
    assert.ok(
      top.stdout.startsWith(
        'CloudHSM CLI (LocalHSM emulation)\n\nUsage: cloudhsm-cli <COMMAND>\n\nCommands:\n',
      ),
    );
    for (const line of [
      '  cluster      Cluster related commands',
      '  interactive  Start an interactive session',
      '  login        Login to your cluster',
      '  logout       Logout of your cluster',
      '  user         User management',
    ]) {
      assert.ok(top.stdout.includes(`${line}\n`), line);
    }

    const create = await cli(['user', 'create', '--help']);
    assert.equal(create.exitCode, 0);
    assert.ok(
      create.stdout.startsWith(
        'Create a new user\n\nUsage: cloudhsm-cli user create [OPTIONS] --username <USERNAME> --role <ROLE>\n\nOptions:\n',
      ),
    );
    assert.ok(
      create.stdout.includes(
        '          Possible values:\n          - crypto-user: A CryptoUser has the ability to manage and use keys\n          - admin:       An Admin has the ability to manage user accounts\n',
      ),
    );
    assert.ok(create.stdout.endsWith("  -h, --help\n          Print help (see a summary with '-h')\n"));

    const short = await cli(['user', 'create', '-h']);
    assert.equal(short.stdout, create.stdout);
    const viaHelp = await cli(['help', 'user', 'create']);
    assert.equal(viaHelp.stdout, create.stdout);

    const group = await cli(['help', 'user']);
    assert.equal(group.exitCode, 0);
    // Other issues add commands to the user group: check this four, in clap's layout.
    assert.ok(
      group.stdout.startsWith('User management\n\nUsage: cloudhsm-cli user <COMMAND>\n\nCommands:\n'),
    );
    assert.ok(group.stdout.endsWith('\n\nOptions:\n  -h, --help  Print help\n'));
    const commands = group.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!.split('\n');
    const width = /^  \S+ +/.exec(commands[0]!)![0].length;
    for (const [name, about] of [
      ['change-password', "Change a user's password"],
      ['create', 'Create a new user'],
      ['delete', 'Delete a user'],
      ['list', 'List the users in your cluster'],
    ]) {
      assert.ok(commands.includes(`  ${name}`.padEnd(width) + about), `${name} in\n${group.stdout}`);
    }
    assert.equal(
      commands.at(-1),
      '  help'.padEnd(width) + 'Print this message or the help of the given subcommand(s)',
    );
  });
});
