// splitWords as a table: how a line typed in the interactive shell becomes argv.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitWords } from '../../src/command/words.js';

describe('splitWords', () => {
  const cases: [string, string[]][] = [
    ['', []],
    ['   \t ', []],
    ['user list', ['user', 'list']],
    ['  user   list  ', ['user', 'list']],
    ['a\tb\nc', ['a', 'b', 'c']],
    ["--password 'two words'", ['--password', 'two words']],
    ['--password "two words"', ['--password', 'two words']],
    ["''", ['']],
    ['""', ['']],
    ["a '' b", ['a', '', 'b']],
    ["pre'quoted part'post", ['prequoted partpost']],
    ['"it\'s"', ["it's"]],
    ['\'say "hi"\'', ['say "hi"']],
    ['"a \\" b"', ['a " b']],
    ['"a \\\\ b"', ['a \\ b']],
    ["'a \\ b'", ['a \\ b']],
    ['a\\ b', ['a b']],
    ['\\"x', ['"x']],
    ['--token=~/t.json', ['--token=~/t.json']],
    ["'unterminated quote", ['unterminated quote']],
    ['trailing\\', ['trailing\\']],
  ];
  for (const [line, words] of cases) {
    it(`splits ${JSON.stringify(line)}`, () => assert.deepEqual(splitWords(line), words));
  }
});
