// docs/ci.md, docs/library.md and docs/keys.md run as written: their marked code blocks are saved and executed in a project
// where LocalHSM is installed (linked to this build), so an example that drifts from the code fails the suite.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { LOCALHSM_BIN, ROOT, cleanEnv } from '../helpers/processes.js';

/**
 * `<!-- doc-test: KIND [ARG] -->` right before a fenced block marks it (unmarked blocks are prose snippets):
 * `file NAME` saves it as NAME; `setup` runs it (bash) before the others; `run [in DIR]` runs it (bash, in DIR);
 * `node-test NAME` saves it as NAME and runs `node --test NAME`. Files and setups come first, then the rest in
 * document order, all in one directory.
 */
export interface DocBlock {
  kind: 'file' | 'setup' | 'run' | 'node-test';
  arg?: string;
  line: number;
  body: string;
}

export function markedBlocks(markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const marker =
    /<!-- doc-test: (file|setup|run|node-test)(?: (?:in )?([^\s]+))? -->\n\n?(`{3,})[^\n]*\n([\s\S]*?)\n\3\n/g;
  for (const m of markdown.matchAll(marker)) {
    const line = markdown.slice(0, m.index).split('\n').length;
    blocks.push({ kind: m[1] as DocBlock['kind'], arg: m[2], line, body: `${m[4]}\n` });
  }
  return blocks;
}

/** A project directory where `npx localhsm`, `npx cloudhsm-cli` and `import 'localhsm'` reach this build. */
function consumerProject(): string {
  const dir = tempDir('localhsm-doc-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'localhsm'), 'dir');
  for (const bin of ['localhsm', 'cloudhsm-cli', 'configure-cli'])
    fs.symlinkSync(path.join(ROOT, 'bin', bin), path.join(dir, 'node_modules', '.bin', bin));
  return dir;
}

/** Stops every cluster a failed example left running under `dir` (a cluster's state holds cluster.json). */
function downAll(dir: string): void {
  const states = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'cluster.json' && !f.includes('node_modules'))
    .map((f) => path.join(dir, path.dirname(f)));
  for (const state of states)
    spawnSync(process.execPath, [LOCALHSM_BIN, 'down', '--state', state], { env: cleanEnv() });
}

function runDoc(doc: string): void {
  const blocks = markedBlocks(fs.readFileSync(path.join(ROOT, doc), 'utf8'));
  const dir = consumerProject();
  const order = [
    ...blocks.filter((b) => b.kind === 'file'),
    ...blocks.filter((b) => b.kind === 'setup'),
    ...blocks.filter((b) => b.kind === 'run' || b.kind === 'node-test'),
  ];
  try {
    for (const block of order) {
      const where = `${doc}:${block.line} (${block.kind}${block.arg ? ` ${block.arg}` : ''})`;
      if (block.kind === 'file' || block.kind === 'node-test') {
        fs.writeFileSync(path.join(dir, block.arg!), block.body);
        if (block.kind === 'file') continue;
      }
      const cwd = block.kind === 'run' && block.arg ? path.join(dir, block.arg) : dir;
      fs.mkdirSync(cwd, { recursive: true });
      const run =
        block.kind === 'node-test'
          ? spawnSync(process.execPath, ['--test', block.arg!], { cwd, env: cleanEnv(), encoding: 'utf8' })
          : spawnSync('bash', ['-euo', 'pipefail', '-c', block.body], {
              cwd,
              env: cleanEnv(),
              encoding: 'utf8',
            });
      assert.equal(
        run.status,
        0,
        `${where} failed:\n${block.body}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
      );
    }
  } finally {
    downAll(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('docs run as written', () => {
  it('the marker grammar: only marked blocks, with their kind and argument', () => {
    const md = [
      'prose',
      '```sh',
      'not run',
      '```',
      '<!-- doc-test: file seed.yaml -->',
      '',
      '```yaml',
      'users: []',
      '```',
      '<!-- doc-test: run in sub -->',
      '```sh',
      'echo hi',
      '```',
      '',
    ].join('\n');
    assert.deepEqual(markedBlocks(md), [
      { kind: 'file', arg: 'seed.yaml', line: 5, body: 'users: []\n' },
      { kind: 'run', arg: 'sub', line: 10, body: 'echo hi\n' },
    ]);
  });

  for (const [doc, kinds] of [
    ['docs/ci.md', ['file', 'setup', 'run']],
    ['docs/library.md', ['node-test']],
    ['docs/keys.md', ['run']],
  ] as const) {
    it(`${doc}: every marked example runs`, () => {
      const found = new Set(markedBlocks(fs.readFileSync(path.join(ROOT, doc), 'utf8')).map((b) => b.kind));
      for (const kind of kinds) assert.ok(found.has(kind), `${doc} has a marked ${kind} block`);
      runDoc(doc);
    });
  }
});
