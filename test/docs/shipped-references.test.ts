// The README and docs that ship in the package cite nothing a reader of the package cannot open: no section of
// the unshipped behaviour reference ("spec §4.5"), no issue numbers, no paths of the machine they were written on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/processes.js';

/** What no shipped document may contain: the reference is not in the package, the tracker is not public. */
const INTERNAL = [
  {
    what: 'a section of the behaviour reference',
    pattern: /\bspec\s*(§|open question)|\bspec\/[a-z-]+\.md/i,
  },
  { what: 'an issue number', pattern: /\bissues?\s+#?\d+|\(#\d+\)/i },
  { what: 'a path outside the repository', pattern: /\/work\/|\.\.\/shared\b/ },
];
/**
 * docs/decisions.md is the project's decision log: its sections are named after the issue that asked for them
 * and cite the behaviour reference by section, which is its history. It ships (the README points to it as the
 * list of known differences), so it must not point at paths outside the repository; its preface says what an
 * issue number and a spec section are.
 */
const LOG = 'docs/decisions.md';

function shippedDocs(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

function findings(file: string, rules: typeof INTERNAL): string[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  return lines.flatMap((line, i) =>
    rules.filter((r) => r.pattern.test(line)).map((r) => `${file}:${i + 1}: ${r.what}: ${line.trim()}`),
  );
}

describe('shipped docs cite only what ships', () => {
  it('README.md and docs/*.md (but the decision log) cite no spec section, issue number or outside path', () => {
    const files = shippedDocs().filter((f) => f !== LOG);
    assert.ok(files.includes('docs/ci.md') && files.includes('docs/library.md'));
    assert.deepEqual(
      files.flatMap((f) => findings(f, INTERNAL)),
      [],
    );
  });

  it('the decision log points at no path outside the repository and explains its citations', () => {
    assert.deepEqual(
      findings(
        LOG,
        INTERNAL.filter((r) => r.what.startsWith('a path')),
      ),
      [],
    );
    const preface = fs.readFileSync(path.join(ROOT, LOG), 'utf8').split('\n## ')[0]!;
    assert.match(preface, /issue N/);
    assert.match(preface, /spec §/);
  });

  it('the scan finds what it is for', () => {
    const rules = (text: string) => INTERNAL.filter((r) => r.pattern.test(text)).map((r) => r.what);
    assert.deepEqual(rules('as the guide says (spec §4.5)'), ['a section of the behaviour reference']);
    assert.deepEqual(rules('see "Security hardening (issue 13)"'), ['an issue number']);
    assert.deepEqual(rules('see `../shared/spec/cloudhsm-cli.md`'), [
      'a section of the behaviour reference',
      'a path outside the repository',
    ]);
    assert.deepEqual(rules('five issues were found; section 4.5 of the AWS guide'), []);
  });
});
