// Removes dist/ before a build, so that no compiled file outlives its source (a deleted test would still run,
// a deleted module would still be packed).
import fs from 'node:fs';

fs.rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
