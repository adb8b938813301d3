// The system check `npm test` runs first (scripts/check-system.mjs): its decision from "which tools exist, am
// I root, is apt-get there", tested as a pure function without touching the real system.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/cluster.js';

interface Requirement {
  tool: string;
  kind: string;
  packages: string[];
}
type Decision =
  | { action: 'ok' }
  | { action: 'install'; packages: string[]; commands: string[][]; message: string }
  | { action: 'stop'; command: string | undefined; message: string };
const check = (await import(new URL('../../../scripts/check-system.mjs', import.meta.url).href)) as {
  REQUIREMENTS: Requirement[];
  decide(input: { missing: string[]; isRoot: boolean; hasApt: boolean }): Decision;
  missingTools(has: (r: Requirement) => boolean): string[];
  commandExists(name: string, envPath: string): boolean;
  findSoftHsmModule(exists: (p: string) => boolean): string | undefined;
};

test('everything present: nothing to do, whatever the user', () => {
  for (const isRoot of [true, false])
    for (const hasApt of [true, false])
      assert.deepEqual(check.decide({ missing: [], isRoot, hasApt }), { action: 'ok' });
});

test('root with apt-get: installs exactly the missing packages after apt-get update, and says so', () => {
  const d = check.decide({ missing: ['jq', 'softhsm2-util', 'libsofthsm2.so'], isRoot: true, hasApt: true });
  assert.equal(d.action, 'install');
  if (d.action !== 'install') return;
  assert.deepEqual(d.commands, [
    ['apt-get', 'update'],
    ['apt-get', 'install', '-y', 'jq', 'softhsm2'],
  ]);
  assert.match(d.message, /missing: jq, softhsm2-util, libsofthsm2\.so; installing jq softhsm2 with apt-get/);
});

test('not root but apt-get: stops with the exact command to run', () => {
  const d = check.decide({ missing: ['openssl', 'g++'], isRoot: false, hasApt: true });
  assert.equal(d.action, 'stop');
  if (d.action !== 'stop') return;
  assert.equal(d.command, 'sudo apt-get update && sudo apt-get install -y openssl g++');
  assert.ok(d.message.includes(`Run:\n  ${d.command}\n`));
});

test('no apt-get (root or not): stops, naming the packages and where the module is looked for', () => {
  for (const isRoot of [true, false]) {
    const d = check.decide({ missing: ['libsofthsm2.so'], isRoot, hasApt: false });
    assert.equal(d.action, 'stop');
    if (d.action !== 'stop') continue;
    assert.equal(d.command, undefined);
    assert.match(d.message, /No apt-get here: .*softhsm2 .*\/usr\/lib\/softhsm\/libsofthsm2\.so/s);
  }
});

test('missingTools asks about every requirement and keeps their order', () => {
  const asked: string[] = [];
  const missing = check.missingTools((r) => {
    asked.push(r.tool);
    return r.tool !== 'jq' && r.kind !== 'softhsm-module';
  });
  assert.deepEqual(
    asked,
    check.REQUIREMENTS.map((r) => r.tool),
  );
  assert.deepEqual(missing, ['jq', 'libsofthsm2.so']);
});

test('commandExists finds executables on the given PATH only, without running them', () => {
  const dir = tempDir('localhsm-check-system-');
  try {
    fs.writeFileSync(path.join(dir, 'present'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'not-executable'), '', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'a-dir'));
    assert.equal(check.commandExists('present', `/nonexistent${path.delimiter}${dir}`), true);
    assert.equal(check.commandExists('not-executable', dir), false);
    assert.equal(check.commandExists('a-dir', dir), false);
    assert.equal(check.commandExists('present', ''), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the SoftHSM2 module lookup takes the first candidate that exists', () => {
  assert.equal(
    check.findSoftHsmModule(() => false),
    undefined,
  );
  assert.equal(
    check.findSoftHsmModule((p) => p.includes('x86_64-linux-gnu') || p.includes('lib64')),
    '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  );
});
