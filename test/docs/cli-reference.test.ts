// docs/cli.md is generated from the command specs: it must match what the specs say now.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import { renderCliDocs } from '../../src/docs/cli-reference.js';

it('docs/cli.md matches the command specs (run npm run docs after changing a command)', () => {
  const committed = fs.readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
  assert.equal(committed, renderCliDocs());
});
