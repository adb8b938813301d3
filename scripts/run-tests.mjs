// Runs every compiled test file (dist/test/**/*.test.js) whose source still exists and every example test
// (examples/**/*.test.mjs, which import the package as its users do) with node's built-in test runner.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const testDir = path.join(root, 'dist', 'test');
const filter = process.argv[2];

function collect(dir, suffix) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return collect(full, suffix);
    return entry.name.endsWith(suffix) ? [full] : [];
  });
}

/** A compiled test whose source was deleted or renamed (`npm test` cleans dist/, a bare tsc does not). */
const isStale = (file) =>
  file.startsWith(testDir + path.sep) &&
  !fs.existsSync(path.join(root, path.relative(path.join(root, 'dist'), file)).replace(/\.js$/, '.ts'));

const compiled = collect(testDir, '.test.js');
const stale = compiled.filter(isStale);
for (const file of stale)
  console.error(`not running ${path.relative(root, file)}: its source is gone (stale build)`);
const files = [...compiled.filter((f) => !isStale(f)), ...collect(path.join(root, 'examples'), '.test.mjs')]
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no test files found under ${testDir}${filter ? ` matching ${filter}` : ''}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, LOCALHSM_TEST: '1' },
  },
);
process.exit(result.status ?? 1);
