// resolve() over a small command tree: which words name the command, subcommands after options, help
// requests and unknown commands; no cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HelpRequested, UsageError } from '../../src/command/parse.js';
import { defineCommand } from '../../src/command/spec.js';
import { type CommandTree, childrenOf, resolve } from '../../src/command/tree.js';

const command = (path: string[], options: { long: string; value?: string; required?: boolean }[] = []) =>
  defineCommand<null, string, string>({
    path,
    about: `about ${path.join(' ')}`,
    options: options.map((o) => ({ help: o.long, ...o })),
    async run() {
      return path.join(' ');
    },
  });

const tree: CommandTree<null, string> = {
  name: 'tool',
  about: 'A tool',
  groups: { user: 'User commands', 'quorum token-sign': 'Token commands' },
  commands: [
    command(['user', 'list']),
    command(['user', 'create'], [{ long: 'username', value: 'U', required: true }]),
    command(
      ['login'],
      [
        { long: 'username', value: 'U', required: true },
        { long: 'role', value: 'R', required: true },
      ],
    ),
    command(
      ['login', 'mfa-token-sign'],
      [
        { long: 'username', value: 'U', required: true },
        { long: 'role', value: 'R', required: true },
        { long: 'token', value: 'FILE', required: true },
      ],
    ),
    command(['quorum', 'token-sign', 'list']),
    { ...command(['user', 'change-quorum', 'register']), aliases: ['activate'] },
  ],
};

const helpOf = (argv: string[]) => {
  try {
    resolve(tree, argv);
  } catch (error) {
    if (error instanceof HelpRequested) return error.text;
    throw error;
  }
  assert.fail(`no help for ${argv.join(' ')}`);
};

describe('resolve', () => {
  const resolved: [string[], string, Record<string, string>][] = [
    [['user', 'list'], 'user list', {}],
    [['user', 'create', '--username', 'a'], 'user create', { username: 'a' }],
    [['login', '--username', 'a', '--role', 'admin'], 'login', { username: 'a', role: 'admin' }],
    [
      ['login', '--username', 'a', '--role', 'admin', 'mfa-token-sign', '--token', 't'],
      'login mfa-token-sign',
      { username: 'a', role: 'admin', token: 't' },
    ],
    // A hidden alias of the last word resolves to the command.
    [['user', 'change-quorum', 'activate'], 'user change-quorum register', {}],
    // A value that happens to be a subcommand's name stays a value.
    [
      ['login', '--username', 'mfa-token-sign', '--role', 'r'],
      'login',
      { username: 'mfa-token-sign', role: 'r' },
    ],
  ];
  for (const [argv, path, values] of resolved) {
    it(`resolves ${argv.join(' ')} to ${path}`, () => {
      const { spec, options } = resolve(tree, argv);
      assert.equal(spec.path.join(' '), path);
      for (const [name, value] of Object.entries(values)) {
        assert.equal(options.string(name), value);
      }
    });
  }

  it('parses the options given before a subcommand with the subcommand spec', () => {
    assert.throws(
      () => resolve(tree, ['login', '--username', 'a', 'mfa-token-sign', '--role', 'r']),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message.startsWith(
          'error: the following required arguments were not provided:\n  --token <FILE>\n\nUsage: login mfa-token-sign',
        ),
    );
  });

  it('answers help for the tree, a group, a command and `help <path>`', () => {
    assert.match(helpOf([]), /^A tool\n\nUsage: <COMMAND>\n\nCommands:\n {2}login/);
    assert.match(helpOf(['user']), /^User commands\n\nUsage: user <COMMAND>\n/);
    assert.match(helpOf(['user', '--help']), /^User commands\n/);
    assert.match(
      helpOf(['user', 'create', '-h']),
      /^about user create\n\nUsage: user create --username <U>\n/,
    );
    assert.equal(helpOf(['help', 'user', 'create']), helpOf(['user', 'create', '--help']));
    assert.equal(helpOf(['user', 'help']), helpOf(['user']));
    assert.match(
      helpOf(['login', '--help']),
      /\nCommands:\n {2}mfa-token-sign {2}about login mfa-token-sign\n/,
    );
  });

  it('refuses an unknown command word with the usage of the group', () => {
    assert.throws(
      () => resolve(tree, ['user', 'lst']),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          "error: unrecognized subcommand 'lst'\n\n  tip: a similar subcommand exists: 'list'\n\nUsage: user <COMMAND>\n\nFor more information, try '--help'.",
    );
    assert.throws(
      () => resolve(tree, ['nope'], ['aws-cloudhsm']),
      (e: unknown) => e instanceof UsageError && e.message.includes('\n\nUsage: aws-cloudhsm <COMMAND>\n'),
    );
  });

  it('lists the children of a path, groups and commands, sorted', () => {
    assert.deepEqual(childrenOf(tree, []), [
      { name: 'login', about: 'about login' },
      { name: 'quorum', about: '' },
      { name: 'user', about: 'User commands' },
    ]);
    assert.deepEqual(
      childrenOf(tree, ['quorum']).map((c) => c.name),
      ['token-sign'],
    );
  });

  it('keeps a command alias out of the listing and the help, and refuses it elsewhere', () => {
    assert.deepEqual(
      childrenOf(tree, ['user', 'change-quorum']).map((c) => c.name),
      ['register'],
    );
    assert.doesNotMatch(helpOf(['user', 'change-quorum', '--help']), /activate/);
    assert.throws(() => resolve(tree, ['user', 'activate']), UsageError);
  });
});
