// The folders under src/ are the parts: no part imports a part that imports it back (directly or around a
// loop), and the command toolkit is a leaf that any binary can build on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** The part a source file belongs to: its top folder under src/, or the file's own name at the top. */
function partOf(file: string): string {
  const [first, second] = path.relative(SRC, file).split(path.sep);
  return second === undefined ? first!.replace(/\.[jt]s$/, '') : first!;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Part -> the parts it imports (value and type imports alike), with one importing file each for messages. */
function partGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = partOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const to = partOf(path.resolve(path.dirname(file), m[1]!));
      if (to !== from && !edges.has(to)) edges.set(to, path.relative(SRC, file));
    }
  }
  return graph;
}

/** Every cycle's parts, found by a depth-first search from each part. */
function cycles(graph: Map<string, Map<string, string>>): string[] {
  const found = new Set<string>();
  const visit = (start: string, at: string, trail: string[]): void => {
    for (const next of graph.get(at)?.keys() ?? []) {
      if (next === start) found.add([...trail, start].join(' -> '));
      else if (!trail.includes(next) && next > start) visit(start, next, [...trail, next]);
    }
  };
  for (const part of graph.keys()) visit(part, part, [part]);
  return [...found].sort();
}

describe('src/ parts', () => {
  const graph = partGraph();

  it('import each other without a cycle', () => {
    assert.deepEqual(cycles(graph), []);
  });

  it('keep the command toolkit a leaf: src/command imports only node:* and errors', () => {
    const imported = [...(graph.get('command')?.entries() ?? [])].map(([to, file]) => `${to} (${file})`);
    assert.deepEqual(
      imported.filter((i) => !i.startsWith('errors ')),
      [],
    );
    for (const file of sourceFiles(path.join(SRC, 'command'))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g))
        assert.ok(
          /^(node:|@noble\/curves\/|@noble\/post-quantum\/)/.test(m[1]!),
          `${path.relative(SRC, file)} imports the package ${m[1]}`,
        );
    }
  });

  it('keep the file helpers a leaf: src/files imports only node:* and errors', () => {
    const imported = [...(graph.get('files')?.entries() ?? [])].map(([to, file]) => `${to} (${file})`);
    assert.deepEqual(
      imported.filter((i) => !i.startsWith('errors ')),
      [],
    );
  });

  // The two audited @noble packages are the exception (issue 16): Node 20's crypto has no Ed25519ph or ML-DSA.
  it('keep the key cryptography a leaf: src/keys imports only node:*, @noble/curves, @noble/post-quantum and errors', () => {
    const imported = [...(graph.get('keys')?.entries() ?? [])].map(([to, file]) => `${to} (${file})`);
    assert.deepEqual(
      imported.filter((i) => !i.startsWith('errors ')),
      [],
    );
    for (const file of sourceFiles(path.join(SRC, 'keys'))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g))
        assert.ok(
          /^(node:|@noble\/curves\/|@noble\/post-quantum\/)/.test(m[1]!),
          `${path.relative(SRC, file)} imports the package ${m[1]}`,
        );
    }
  });

  it('keep the token-file modules off the cluster client', () => {
    assert.equal(graph.get('tokens')?.get('cluster'), undefined);
  });

  it('never has the cloudhsm-cli folder imported by the parts below it', () => {
    for (const lower of ['command', 'signers', 'tokens', 'cluster', 'hsm', 'protocol', 'seed', 'files'])
      assert.equal(graph.get(lower)?.get('cli'), undefined, `${lower} imports cli`);
  });
});
