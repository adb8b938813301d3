// Tab completion in the interactive shell (complete in src/cli/shell.ts) over the real cloudhsm-cli tree; no cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliTree } from '../../src/cli/registry.js';
import { complete } from '../../src/cli/shell.js';

const tree = cliTree('');

describe('complete', () => {
  const cases: [string, string[], string][] = [
    ['', ['cluster', 'crypto', 'key', 'login', 'logout', 'quorum', 'user', 'help', 'quit', 'exit'], ''],
    ['us', ['user'], 'us'],
    ['q', ['quorum', 'quit'], 'q'],
    ['user ', ['change-mfa', 'change-password', 'change-quorum', 'create', 'delete', 'list'], ''],
    ['user ch', ['change-mfa', 'change-password', 'change-quorum'], 'ch'],
    ['user list --', ['--cluster-id', '--help'], '--'],
    ['user delete --u', ['--username'], '--u'],
    // An option already on the line is not offered again.
    ['user list --cluster-id c --', ['--help'], '--'],
    ['"user" li', ['list'], 'li'],
    ['nothing', [], 'nothing'],
  ];
  for (const [line, hits, partial] of cases) {
    it(`completes ${JSON.stringify(line)}`, () => {
      const [got, word] = complete(tree, line);
      assert.equal(word, partial);
      assert.deepEqual([...got].sort(), [...hits].sort());
    });
  }
});
