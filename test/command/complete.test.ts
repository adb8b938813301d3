// Tab completion in the interactive shell (complete in src/cli/shell.ts) over the real cloudhsm-cli tree; no cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliTree } from '../../src/cli/registry.js';
import { complete } from '../../src/cli/shell.js';
import { valueKind } from '../../src/command/complete.js';
import { localTree } from '../../src/localhsm/registry.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tree = cliTree('');

describe('complete', () => {
  const cases: [string, string[], string][] = [
    ['', ['cluster', 'crypto', 'key', 'login', 'logout', 'quorum', 'user', 'help', 'quit', 'exit'], ''],
    ['us', ['user'], 'us'],
    ['q', ['quorum', 'quit'], 'q'],
    [
      'user ',
      ['change-mfa', 'change-password', 'change-quorum', 'create', 'delete', 'list', 'replicate'],
      '',
    ],
    ['user ch', ['change-mfa', 'change-password', 'change-quorum'], 'ch'],
    ['user list --', ['--cluster-id', '--help'], '--'],
    ['user delete --u', ['--username'], '--u'],
    // An option already on the line is not offered again.
    ['user list --cluster-id c --', ['--help'], '--'],
    ['"user" li', ['list'], 'li'],
    ['nothing', [], 'nothing'],
    // Option values: the possible values of the option before the cursor, never option names.
    ['quorum token-sign generate --service u', ['user'], 'u'],
    ['quorum token-sign generate --service q', ['quorum'], 'q'],
    ['user create --username bob --role ', ['admin', 'crypto-user'], ''],
    ['user create --role admin --username ', [], ''],
    // A value is skipped when finding the command: `admin` after --role is not a command word.
    [
      'user create --role admin --',
      ['--approval', '--cluster-id', '--password', '--username', '--help'],
      '--',
    ],
  ];
  for (const [line, hits, partial] of cases) {
    it(`completes ${JSON.stringify(line)}`, () => {
      const [got, word] = complete(tree, line);
      assert.equal(word, partial);
      assert.deepEqual([...got].sort(), [...hits].sort());
    });
  }

  it('offers every possible value of --service and no option name', () => {
    const [hits] = complete(tree, 'quorum token-sign generate --service ');
    for (const v of ['user', 'quorum', 'cluster']) assert.ok(hits.includes(v), hits.join(' '));
    assert.ok(!hits.some((h) => h.startsWith('-')), hits.join(' '));
  });

  it('completes file paths for --token and --public-key (read from the spec: placeholder or help)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-complete-'));
    fs.writeFileSync(path.join(dir, 'unsigned.json'), '');
    fs.writeFileSync(path.join(dir, 'other.pem'), '');
    fs.mkdirSync(path.join(dir, 'keys'));
    assert.deepEqual(complete(tree, `login mfa-token-sign --token ${dir}/un`), [
      [`${dir}/unsigned.json`],
      `${dir}/un`,
    ]);
    assert.deepEqual(complete(tree, `user change-quorum token-sign register --public-key ${dir}/`)[0], [
      `${dir}/keys/`,
      `${dir}/other.pem`,
      `${dir}/unsigned.json`,
    ]);
  });

  it('classifies every option of both binaries: files, directories, values or free text', () => {
    const kinds = new Map<string, string>();
    for (const c of [...tree.commands, ...localTree.commands])
      for (const o of c.options) kinds.set(`${c.path.join(' ')} --${o.long}`, valueKind(o).kind);
    assert.equal(kinds.get('login mfa-token-sign --token'), 'path');
    assert.equal(kinds.get('user change-quorum token-sign register --public-key'), 'path');
    assert.equal(kinds.get('quorum token-sign generate --service'), 'values');
    assert.equal(kinds.get('user create --role'), 'values');
    assert.equal(kinds.get('up --state'), 'dir');
    assert.equal(kinds.get('quorum approve --private-key'), 'path');
    assert.equal(kinds.get('user create --username'), 'text');
    assert.equal(kinds.get('user list --cluster-id'), 'text');
    assert.equal(kinds.get('quorum token-sign set-timeout --approved'), 'text');
    assert.equal(kinds.get('user list --cluster-id'), 'text');
    assert.equal(kinds.get('backup restore --key-file'), 'path');
  });
});
