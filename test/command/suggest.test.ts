// "Did you mean" for mistyped commands, options and values (clap's Jaro > 0.7), and -V/--version of both binaries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliTree } from '../../src/cli/registry.js';
import { UsageError, VersionRequested } from '../../src/command/parse.js';
import { jaro, similar } from '../../src/command/suggest.js';
import { resolve } from '../../src/command/tree.js';
import { localTree } from '../../src/localhsm/registry.js';
import { LOCALHSM_VERSION } from '../../src/localhsm/registry.js';
import { ROOT } from '../helpers/processes.js';
import fs from 'node:fs';
import path from 'node:path';

const cli = cliTree('cloudhsm-cli');

function usageError(tree: Parameters<typeof resolve>[0], argv: string[]): string {
  try {
    resolve(tree, argv, [tree.name]);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail(`${argv.join(' ')} resolved`);
}

describe('did you mean', () => {
  it('scores like strsim::jaro', () => {
    assert.equal(jaro('martha', 'marhta').toFixed(4), '0.9444');
    assert.equal(jaro('dixon', 'dicksonx').toFixed(4), '0.7667');
    assert.equal(jaro('', ''), 1);
    assert.equal(jaro('abc', ''), 0);
    assert.deepEqual(similar('lsit', ['list', 'create', 'delete']), ['list']);
  });

  const cases: [string, string[], string][] = [
    [
      'cloudhsm-cli',
      ['usr', 'list'],
      "error: unrecognized subcommand 'usr'\n\n  tip: a similar subcommand exists: 'user'\n\nUsage: cloudhsm-cli <COMMAND>",
    ],
    [
      'cloudhsm-cli',
      ['user', 'lsit'],
      "error: unrecognized subcommand 'lsit'\n\n  tip: a similar subcommand exists: 'list'\n\nUsage: cloudhsm-cli user <COMMAND>",
    ],
    ['cloudhsm-cli', ['interactiv'], "  tip: a similar subcommand exists: 'interactive'"],
    [
      'cloudhsm-cli',
      ['user', 'delete', '--usernam', 'bob'],
      "error: unexpected argument '--usernam' found\n\n  tip: a similar argument exists: '--username'\n\nUsage: cloudhsm-cli user delete",
    ],
    [
      'cloudhsm-cli',
      ['user', 'create', '--username', 'b', '--role', 'admn'],
      "  [possible values: crypto-user, admin]\n\n  tip: a similar value exists: 'admin'\n\nUsage:",
    ],
    ['cloudhsm-cli', ['quorum', 'token-sign', 'genrate'], "tip: a similar subcommand exists: 'generate'"],
    [
      'localhsm',
      ['stauts'],
      "error: unrecognized subcommand 'stauts'\n\n  tip: some similar subcommands exist: 'status', 'start'",
    ],
    ['localhsm', ['quorum', 'aprove'], "tip: a similar subcommand exists: 'approve'"],
    ['localhsm', ['up', '--detatch'], "tip: a similar argument exists: '--detach'"],
  ];
  for (const [binary, argv, expected] of cases) {
    it(`${binary} ${argv.join(' ')}`, () => {
      const message = usageError(binary === 'localhsm' ? localTree : cli, argv);
      assert.ok(message.includes(expected), message);
      assert.ok(message.endsWith("For more information, try '--help'."), message);
    });
  }

  it('adds no tip when nothing is near (the error stays exactly clap-style)', () => {
    assert.equal(
      usageError(cli, ['user', 'xyzzy']),
      "error: unrecognized subcommand 'xyzzy'\n\nUsage: cloudhsm-cli user <COMMAND>\n\nFor more information, try '--help'.",
    );
  });
});

describe('--version and the top-level help', () => {
  it('prints the name and version for -V and --version of both binaries', () => {
    for (const [tree, expected] of [
      [cli, 'cloudhsm-cli 0.1.0'],
      [localTree as unknown as typeof cli, `localhsm ${LOCALHSM_VERSION}`],
    ] as const)
      for (const flag of ['-V', '--version'])
        assert.throws(
          () => resolve(tree, [flag], [tree.name]),
          (e: unknown) => e instanceof VersionRequested && e.text === expected,
        );
  });

  it('keeps the localhsm version equal to package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(LOCALHSM_VERSION, pkg.version);
  });

  it('lists interactive and -V, --version in cloudhsm-cli --help', () => {
    let text = '';
    try {
      resolve(cli, ['--help'], ['cloudhsm-cli']);
    } catch (error) {
      text = (error as { text: string }).text;
    }
    assert.match(text, /\n {2}interactive {2}Start an interactive session\n/);
    assert.match(text, /\n {2}-V, --version {2}Print version/);
  });

  it('does not list interactive inside the shell', () => {
    let text = '';
    try {
      resolve(cliTree(''), ['help'], []);
    } catch (error) {
      text = (error as { text: string }).text;
    }
    assert.doesNotMatch(text, /interactive/);
    assert.doesNotMatch(text, /--version/);
  });
});
