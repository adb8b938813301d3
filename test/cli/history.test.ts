// Issue 13 item 20: the shell's history file keeps only known commands with no secret-bearing word.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { keepInHistory } from '../../src/cli/history-filter.js';
import { cliTree } from '../../src/cli/registry.js';
import { LineInput } from '../../src/command/line-input.js';
import { tempDir } from '../helpers/cluster.js';

const tree = cliTree('');
const keep = (line: string) => keepInHistory(tree, line);

describe('the history file', () => {
  const dir = tempDir('localhsm-history-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('drops misspelt password options, stray passwords and prompt answers; keeps plain commands', async () => {
    const file = path.join(dir, 'cli-history');
    // A line saved by an older version is filtered too when the file is rewritten.
    fs.writeFileSync(file, 'user create --username u --role crypto-user --pasword Old-secret-1\n', {
      mode: 0o600,
    });
    const input = new PassThrough();
    const shell = new LineInput({
      input,
      output: new PassThrough(),
      terminal: true,
      historyFile: file,
      keepInHistory: keep,
    });
    const typed: [string, boolean][] = [
      ['user list', false],
      ['user create --username u --role crypto-user --pasword Hist-secret-C3', false],
      ['user create --username u --role crypto-user --PASSWORD Hist-secret-E5', false],
      ['user create --username u --role crypto-user --password=Hist-secret-X1', false],
      ['user create --username u --role crypto-user --Pass Hist-secret-Y2', false],
      ['user change-password --username u --role crypto-user --new Hist-secret-G7', false],
      ['Hist-secret-F6', false],
      ['login --username admin --role admin', false],
      ['Hist-secret-H8', true],
      ['user list --bogus Hist-secret-B2', false],
      ['quit', false],
    ];
    for (const [line, hidden] of typed) {
      const read = shell.read(hidden ? 'Enter password:' : 'aws-cloudhsm > ', hidden);
      input.write(`${line}\r`);
      assert.equal(await read, line);
    }
    shell.close();
    const saved = fs.readFileSync(file, 'utf8');
    assert.equal(saved, 'user list\nlogin --username admin --role admin\nquit\n');
    assert.ok(!/secret/i.test(saved));
  });

  it("keeps no prompt's answer, even one that reads as a command, in the file or the up arrow (issue 15 item 8)", async () => {
    const file = path.join(dir, 'cli-history-answers');
    const input = new PassThrough();
    const shell = new LineInput({
      input,
      output: new PassThrough(),
      terminal: true,
      historyFile: file,
      keepInHistory: keep,
    });
    const typed: [string, { path?: boolean } | undefined][] = [
      ['user list', undefined],
      // The answer to `Enter public key PEM file path:`, and to a [y/N] question.
      ['user list --cluster-id cluster-1', { path: true }],
      ['help', {}],
      ['quit', undefined],
    ];
    for (const [line, answer] of typed) {
      const read = shell.read(answer ? 'Enter public key PEM file path:' : 'aws-cloudhsm > ', false, answer);
      input.write(`${line}\r`);
      assert.equal(await read, line);
    }
    assert.deepEqual((shell as unknown as { rl: { history: string[] } }).rl.history, ['quit', 'user list']);
    shell.close();
    assert.equal(fs.readFileSync(file, 'utf8'), 'user list\nquit\n');
  });

  it('the rule: a known command that parses, with no word containing "pass" or "pin" in any case', () => {
    const verdicts = Object.fromEntries(
      [
        'user list',
        'cluster hsm-info',
        'help',
        'user delete --username bob --role crypto-user',
        'user create --username bob --role crypto-user',
        'user create --username bob --role crypto-user --password x1234567',
        'user create --username bob --role crypto-user --pasword x1234567',
        'user create --username bob --role crypto-user x1234567',
        'CLOUDHSM_PIN=admin:x1234567',
        'user list "unbalanced',
        '',
      ].map((line) => [line, keep(line)]),
    );
    assert.deepEqual(verdicts, {
      'user list': true,
      'cluster hsm-info': true,
      help: true,
      'user delete --username bob --role crypto-user': true,
      'user create --username bob --role crypto-user': true,
      'user create --username bob --role crypto-user --password x1234567': false,
      'user create --username bob --role crypto-user --pasword x1234567': false,
      'user create --username bob --role crypto-user x1234567': false,
      'CLOUDHSM_PIN=admin:x1234567': false,
      'user list "unbalanced': false,
      '': false,
    });
  });
});
