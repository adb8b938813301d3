// src/files: the atomic writer never writes through a link and leaves 0600 files; the input reader takes
// regular files of at most 1 MiB only and refuses a FIFO, a device or a directory at once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { HsmError } from '../../src/errors.js';
import { createFileOnce, writeFileAtomic } from '../../src/files/atomic-write.js';
import { MAX_INPUT_FILE_BYTES, readInputFile, readTextFile } from '../../src/files/read-input.js';
import { writeTokenFile } from '../../src/tokens/token-file.js';
import { tempDir } from '../helpers/cluster.js';

const dir = tempDir('localhsm-files-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);
const modeOf = (name: string) => fs.statSync(name).mode & 0o777;

/** The writers LocalHSM has: the generic one and the token-file one (which used its own copy before). */
const WRITERS: [string, (target: string, text: string) => void][] = [
  ['writeFileAtomic', (target, text) => writeFileAtomic(target, text)],
  ['writeTokenFile', (target, text) => writeTokenFile(target, { text })],
];

describe('the atomic writer', () => {
  for (const [name, write] of WRITERS) {
    it(`${name}: a link planted at the old guessable temporary name is not followed`, () => {
      const precious = file(`${name}-precious.txt`);
      fs.writeFileSync(precious, 'precious data\n', { mode: 0o644 });
      const target = file(`${name}-token.json`);
      fs.symlinkSync(precious, `${target}.${process.pid}.tmp`);
      write(target, 'new');
      assert.equal(fs.readFileSync(precious, 'utf8'), 'precious data\n');
      assert.equal(modeOf(precious), 0o644);
      assert.ok(fs.lstatSync(`${target}.${process.pid}.tmp`).isSymbolicLink());
      assert.ok(fs.lstatSync(target).isFile());
      assert.match(fs.readFileSync(target, 'utf8'), /new/);
    });

    it(`${name}: a link at the target is refused with a clear error, its target untouched`, () => {
      const precious = file(`${name}-precious2.txt`);
      fs.writeFileSync(precious, 'precious data\n', { mode: 0o644 });
      const target = file(`${name}-linked.json`);
      fs.symlinkSync(precious, target);
      assert.throws(
        () => write(target, 'new'),
        (e: unknown) =>
          e instanceof HsmError &&
          e.code === 'ERR_FILE' &&
          e.message ===
            `Cannot write ${target}: it is a symbolic link, and LocalHSM does not write through links (give the real path, or remove the link)`,
      );
      assert.equal(fs.readFileSync(precious, 'utf8'), 'precious data\n');
      assert.equal(modeOf(precious), 0o644);
      assert.ok(fs.lstatSync(target).isSymbolicLink());
      assert.deepEqual(
        fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') && !n.includes(String(process.pid))),
        [],
      );
    });

    it(`${name}: writes 0600, also over a wider file, and leaves no temporary file`, () => {
      const target = file(`${name}-wide.json`);
      fs.writeFileSync(target, 'old', { mode: 0o666 });
      fs.chmodSync(target, 0o666);
      write(target, 'new');
      assert.equal(modeOf(target), 0o600);
      assert.match(fs.readFileSync(target, 'utf8'), /new/);
      assert.deepEqual(
        fs.readdirSync(dir).filter((n) => n.startsWith(`.${name}-wide.json`)),
        [],
      );
    });
  }

  it('gives exactly the mode asked for, whatever the umask', () => {
    const target = file('cert.pem');
    writeFileAtomic(target, 'cert', 0o644);
    assert.equal(modeOf(target), 0o644);
  });

  it('names a missing directory in ERR_FILE', () => {
    const target = file('no-such-dir/x.json');
    assert.throws(
      () => writeFileAtomic(target, 'x'),
      (e: unknown) =>
        e instanceof HsmError && e.message === `Cannot write ${target}: no such file or directory`,
    );
  });
});

describe('creating a key file once', () => {
  it('creates it whole and 0600 when absent, and keeps an existing one (no second key)', () => {
    const target = file('once.key');
    assert.equal(createFileOnce(target, 'first\n'), true);
    assert.equal(fs.readFileSync(target, 'utf8'), 'first\n');
    assert.equal(modeOf(target), 0o600);
    assert.equal(createFileOnce(target, 'second\n'), false);
    assert.equal(fs.readFileSync(target, 'utf8'), 'first\n');
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.startsWith('.once.key.')),
      [],
    );
  });

  it('neither follows nor replaces a link planted at the name', () => {
    const precious = file('once-precious.txt');
    fs.writeFileSync(precious, 'precious data\n');
    const target = file('once-linked.key');
    fs.symlinkSync(precious, target);
    assert.equal(createFileOnce(target, 'key\n'), false);
    assert.equal(fs.readFileSync(precious, 'utf8'), 'precious data\n');
    assert.ok(fs.lstatSync(target).isSymbolicLink());
  });
});

describe('the input-file reader', () => {
  const refused = (target: string, detail: string) =>
    assert.throws(
      () => readTextFile(target),
      (e: unknown) =>
        e instanceof HsmError && e.code === 'ERR_FILE' && e.message === `Cannot read ${target}: ${detail}`,
    );

  it('reads a regular file, also through a link, and one of exactly 1 MiB', () => {
    fs.writeFileSync(file('key.pem'), 'PEM');
    fs.symlinkSync(file('key.pem'), file('key-link.pem'));
    assert.equal(readTextFile(file('key-link.pem')), 'PEM');
    fs.writeFileSync(file('max.json'), Buffer.alloc(MAX_INPUT_FILE_BYTES, 0x20));
    assert.equal(readInputFile(file('max.json')).length, MAX_INPUT_FILE_BYTES);
  });

  it('refuses a 2 MiB file', () => {
    fs.writeFileSync(file('big.json'), Buffer.alloc(2 * 1024 * 1024, 0x20));
    refused(file('big.json'), 'it is larger than 1 MiB');
  });

  it('refuses a directory, a device and a link to a device', () => {
    fs.mkdirSync(file('a-dir'));
    refused(file('a-dir'), 'it is a directory');
    refused('/dev/zero', 'it is a character device, not a regular file');
    fs.symlinkSync('/dev/zero', file('zero-link'));
    refused(file('zero-link'), 'it is a character device, not a regular file');
  });

  it('refuses a FIFO without waiting for a writer', () => {
    execFileSync('mkfifo', [file('fifo')]);
    refused(file('fifo'), 'it is a FIFO (named pipe), not a regular file');
  });
});
