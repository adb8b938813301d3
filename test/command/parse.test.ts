// parseCommandArgs as a table: argv -> options, or the clap-style usage error, for one spec; no cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HelpRequested, UsageError, parseCommandArgs } from '../../src/command/parse.js';
import { defineCommand } from '../../src/command/spec.js';

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
