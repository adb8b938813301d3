// Writes docs/cli.md from the compiled command specs (run `npm run build` first).
import fs from 'node:fs';
import { renderCliDocs } from '../dist/src/docs/cli-reference.js';

fs.writeFileSync(new URL('../docs/cli.md', import.meta.url), renderCliDocs());
console.log('docs/cli.md written');
