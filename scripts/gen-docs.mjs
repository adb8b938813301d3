// Writes docs/cli.md from the compiled command specs and docs/protocol.md from the operation descriptors (run `npm run build` first).
import fs from 'node:fs';
import { renderCliDocs } from '../dist/src/docs/cli-reference.js';
import { renderProtocolDocs } from '../dist/src/docs/protocol-reference.js';

fs.writeFileSync(new URL('../docs/cli.md', import.meta.url), renderCliDocs());
fs.writeFileSync(new URL('../docs/protocol.md', import.meta.url), renderProtocolDocs());
console.log('docs/cli.md and docs/protocol.md written');
