// docs/protocol.md is generated from the operation descriptors: it must match what they say now.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import { renderProtocolDocs } from '../../src/docs/protocol-reference.js';

it('docs/protocol.md matches the operation descriptors (run npm run docs after changing an operation)', () => {
  const committed = fs.readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  assert.equal(committed, renderProtocolDocs());
});
