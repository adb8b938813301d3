// parseCommandArgs as a table: argv -> options, or the clap-style usage error, for one spec; no cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandHelp } from '../../src/command/help.js';
import { HelpRequested, UsageError, VersionRequested, parseCommandArgs } from '../../src/command/parse.js';
import { BOOLEAN_VALUES, defineCommand } from '../../src/command/spec.js';

const spec = defineCommand({
  path: ['demo', 'run'],
  about: 'A command with every kind of option',
  options: [
    { long: 'username', value: 'USERNAME', required: true, help: 'Required value' },
    { long: 'out', short: 'o', value: 'FILE', help: 'Value with a short alias' },
    { long: 'verbose', help: 'Flag' },
    { long: 'tag', value: 'TAG', multiple: true, help: 'Repeatable' },
    { long: 'role', value: 'ROLE', possible: [{ value: 'admin' }, { value: 'crypto-user' }], help: 'Closed' },
    { long: 'key', value: 'KEY', help: 'One of key/module' },
    { long: 'module', value: 'PATH', help: 'One of key/module' },
    { long: 'label', value: 'LABEL', help: 'Needed by --module' },
    { long: 'fast', help: 'Conflicts with --slow' },
    { long: 'slow', help: 'Conflicts with --fast' },
  ],
  positionals: [{ name: 'FILES', help: 'Files', multiple: true }],
  exactlyOne: [['key', 'module']],
  conflicts: [['fast', 'slow']],
  requires: [['module', 'label']],
  async run(options) {
    return options.required('username');
  },
});

const usage = 'Usage: demo run [OPTIONS] --username <USERNAME> <--key <KEY>|--module <PATH>> [<FILES>...]';
const usageError = (first: string) => `error: ${first}\n\n${usage}\n\nFor more information, try '--help'.`;
const parse = (argv: string[]) => parseCommandArgs(spec, argv, () => 'HELP TEXT');

/** What the parsed options hold, for every option of the spec. */
function seen(options: ReturnType<typeof parse>) {
  const result: Record<string, unknown> = {};
  for (const o of spec.options) {
    if (!options.has(o.long)) continue;
    result[o.long] = o.value
      ? o.multiple
        ? options.list(o.long)
        : options.string(o.long)
      : options.flag(o.long);
  }
  return { ...result, positionals: options.positionals };
}

describe('parseCommandArgs', () => {
  const base = ['--username', 'alice', '--key', 'k.pem'];
  const accepted: [string, string[], Record<string, unknown>][] = [
    ['values after their option', base, { username: 'alice', key: 'k.pem', positionals: [] }],
    ['--opt=value', ['--username=alice', '--key=k=1'], { username: 'alice', key: 'k=1', positionals: [] }],
    ['an empty --opt=', ['--username=', '--key', 'k'], { username: '', key: 'k', positionals: [] }],
    ['a flag', [...base, '--verbose'], { username: 'alice', key: 'k.pem', verbose: true, positionals: [] }],
    ['a short alias', [...base, '-o', 'x'], { username: 'alice', key: 'k.pem', out: 'x', positionals: [] }],
    [
      'a repeated multiple option, in order',
      [...base, '--tag', 'b', '--tag=a'],
      { username: 'alice', key: 'k.pem', tag: ['b', 'a'], positionals: [] },
    ],
    [
      'a possible value',
      [...base, '--role', 'admin'],
      { username: 'alice', key: 'k.pem', role: 'admin', positionals: [] },
    ],
    [
      'a value that starts with one dash',
      ['--username', '-x', '--key', '-'],
      { username: '-x', key: '-', positionals: [] },
    ],
    [
      'positionals anywhere, and after --',
      ['a', ...base, 'b', '--', '--verbose', '-h'],
      { username: 'alice', key: 'k.pem', positionals: ['a', 'b', '--verbose', '-h'] },
    ],
    [
      '--module with the --label it requires',
      ['--username', 'u', '--module', 'm.so', '--label', 'l'],
      { username: 'u', module: 'm.so', label: 'l', positionals: [] },
    ],
  ];
  for (const [name, argv, expected] of accepted) {
    it(`accepts ${name}`, () => assert.deepEqual(seen(parse(argv)), expected));
  }

  const refused: [string, string[], string][] = [
    ['an unknown option', [...base, '--pasword', 'x'], "unexpected argument '--pasword' found"],
    ['an unknown --opt=value', [...base, '--pasword=x'], "unexpected argument '--pasword' found"],
    ['an unknown short option', [...base, '-x'], "unexpected argument '-x' found"],
    [
      'a missing required option',
      ['--key', 'k'],
      'the following required arguments were not provided:\n  --username <USERNAME>',
    ],
    [
      'a missing value at the end',
      ['--key', 'k', '--username'],
      "a value is required for '--username <USERNAME>' but none was supplied",
    ],
    [
      'a missing value before the next option',
      ['--username', '--key', 'k'],
      "a value is required for '--username <USERNAME>' but none was supplied",
    ],
    [
      'a value given to a flag',
      [...base, '--verbose=yes'],
      "unexpected value for '--verbose' found; no more were expected",
    ],
    [
      'a repeated flag',
      [...base, '--verbose', '--verbose'],
      "the argument '--verbose' cannot be used multiple times",
    ],
    [
      'a repeated single-value option',
      [...base, '--out', 'a', '--out', 'b'],
      "the argument '--out <FILE>' cannot be used multiple times",
    ],
    [
      'a value outside the possible ones',
      [...base, '--role', 'root'],
      "invalid value 'root' for '--role <ROLE>'\n  [possible values: admin, crypto-user]",
    ],
    [
      'none of an exactlyOne group',
      ['--username', 'u'],
      'the following required arguments were not provided:\n  <--key <KEY>|--module <PATH>>',
    ],
    [
      'a required option and a group both missing, listed together',
      [],
      'the following required arguments were not provided:\n  --username <USERNAME>\n  <--key <KEY>|--module <PATH>>',
    ],
    [
      'two of an exactlyOne group',
      ['--username', 'u', '--key', 'k', '--module', 'm', '--label', 'l'],
      "the argument '--key' cannot be used with '--module'",
    ],
    [
      'two conflicting options',
      [...base, '--slow', '--fast'],
      "the argument '--fast' cannot be used with '--slow'",
    ],
    [
      'an option without the one it requires',
      ['--username', 'u', '--module', 'm'],
      'the following required arguments were not provided:\n  --label <LABEL>',
    ],
  ];
  for (const [name, argv, first] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parse(argv),
        (e: unknown) => e instanceof UsageError && e.message === usageError(first),
      );
    });
  }

  it('refuses more positionals than a command declares', () => {
    const none = defineCommand({
      path: ['x'],
      about: 'x',
      options: [],
      positionals: [{ name: 'ONE', help: 'one' }],
      async run() {},
    });
    assert.throws(
      () => parseCommandArgs(none, ['a', 'b'], () => ''),
      (e: unknown) =>
        e instanceof UsageError && e.message.startsWith("error: unexpected argument 'b' found\n"),
    );
    assert.throws(
      () =>
        parseCommandArgs(
          { ...none, positionals: [{ name: 'ONE', help: 'one', required: true }] },
          [],
          () => '',
        ),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message.startsWith('error: the following required arguments were not provided:\n  <ONE>\n'),
    );
  });

  for (const argv of [['--help'], ['-h'], ['--username', 'u', '--help'], ['--pasword', '-h']]) {
    it(`answers help for ${argv.join(' ')} before checking anything after it`, () => {
      const first = argv.findIndex((a) => a === '-h' || a === '--help');
      // Help wins over what is missing; an unknown option before it is reported first.
      if (argv[0] === '--pasword') assert.throws(() => parse(argv), UsageError);
      else
        assert.throws(
          () => parse(argv),
          (e: unknown) => e instanceof HelpRequested && e.text === 'HELP TEXT' && first >= 0,
        );
    });
  }

  it('takes -h after -- as a positional, not as help', () => {
    assert.deepEqual(parse([...base, '--', '-h']).positionals, ['-h']);
  });

  it('types option lookups by the spec: a misspelt name does not compile', async () => {
    const options = parse(base);
    // @ts-expect-error 'usernme' is not an option of this spec
    assert.equal(options.string('usernme'), undefined);
    assert.equal(await spec.run(options, undefined), 'alice');
    defineCommand({
      path: ['y'],
      about: 'y',
      options: [{ long: 'a', help: 'a' }],
      // @ts-expect-error a group can only name declared options
      exactlyOne: [['b']],
      async run(parsed) {
        // @ts-expect-error 'b' is not declared
        return parsed.flag('b');
      },
    });
  });
});

describe('parseCommandArgs: optional values, hidden aliases, -V/--version', () => {
  const spelled = defineCommand({
    path: ['user', 'change-password'],
    about: 'Documented spellings',
    version: true,
    options: [
      {
        long: 'deregister-mfa',
        value: 'DEREGISTER-MFA',
        optionalValue: true,
        possible: BOOLEAN_VALUES,
        help: 'x',
      },
      { long: 'deregister', aliases: ['disable'], help: 'Flag with a hidden alias' },
      { long: 'token', value: 'TOKEN', aliases: ['token-file'], help: 'Value with a hidden alias' },
    ],
    positionals: [{ name: 'REST', help: 'rest', multiple: true }],
    async run() {},
  });
  const read = (argv: string[]) => {
    const o = parseCommandArgs(spelled, argv, () => 'HELP', [], 'tool 9.9.9');
    return {
      mfa: o.has('deregister-mfa') ? o.flag('deregister-mfa') : undefined,
      deregister: o.flag('deregister'),
      token: o.string('token'),
      positionals: o.positionals,
    };
  };
  const none = { mfa: undefined, deregister: false, token: undefined, positionals: [] };

  const accepted: [string, string[], Record<string, unknown>][] = [
    ['a bare optional-value flag as true', ['--deregister-mfa'], { ...none, mfa: true }],
    ['an optional value true', ['--deregister-mfa', 'true'], { ...none, mfa: true }],
    ['an optional value false', ['--deregister-mfa', 'false'], { ...none, mfa: false }],
    ['an optional value after =', ['--deregister-mfa=false'], { ...none, mfa: false }],
    [
      'a bare optional-value flag before another option',
      ['--deregister-mfa', '--deregister'],
      { ...none, mfa: true, deregister: true },
    ],
    [
      'a bare optional-value flag before a word that is not one of its values (a positional)',
      ['--deregister-mfa', 'yes'],
      { ...none, mfa: true, positionals: ['yes'] },
    ],
    ['a hidden flag alias under the option name', ['--disable'], { ...none, deregister: true }],
    ['a hidden value alias', ['--token-file', 't.json'], { ...none, token: 't.json' }],
  ];
  for (const [name, argv, expected] of accepted) {
    it(`accepts ${name}`, () => assert.deepEqual(read(argv), expected));
  }

  const refused: [string, string[], RegExp][] = [
    ['an optional value outside the possible ones after =', ['--deregister-mfa=yes'], /invalid value 'yes'/],
    [
      'an optional-value flag given twice',
      ['--deregister-mfa', '--deregister-mfa', 'true'],
      /'--deregister-mfa <DEREGISTER-MFA>' cannot be used multiple times/,
    ],
    [
      'the option and its alias together',
      ['--deregister', '--disable'],
      /'--deregister' cannot be used multiple/,
    ],
  ];
  for (const [name, argv, message] of refused) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => read(argv),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      ));
  }

  for (const flag of ['-V', '--version']) {
    it(`answers ${flag} with the version where the spec offers it, and refuses it elsewhere`, () => {
      assert.throws(
        () => read(['--deregister', flag]),
        (e: unknown) => e instanceof VersionRequested && e.text === 'tool 9.9.9',
      );
      assert.throws(() => parse([...['--username', 'u', '--key', 'k'], flag]), UsageError);
    });
  }

  it('shows neither alias in help, and lists -V, --version', () => {
    const text = commandHelp(spelled);
    assert.doesNotMatch(text, /disable|token-file/);
    assert.match(text, /-V, --version\n {10}Print version information/);
    assert.match(text, /--deregister-mfa <DEREGISTER-MFA>/);
  });
});
