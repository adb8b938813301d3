// The CLIs refuse token, approval and key files that are not regular files of at most 1 MiB at once, as a
// child process would see it: a FIFO must not hang the command (the child runs under a timeout).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unsignedTokenFile } from '../../src/tokens/mfa-file.js';
import { tempDir } from '../helpers/cluster.js';
import { LOCALHSM_BIN, cleanEnv } from '../helpers/processes.js';

/** Far above a start-up; a child still running then is killed and the test fails on its signal. */
const HUNG_MS = 20_000;

function localhsm(
  args: readonly string[],
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [LOCALHSM_BIN, ...args],
      { env: cleanEnv(), timeout: HUNG_MS, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (error, _stdout, stderr) => {
        const e = error as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: e ? (e.code ?? null) : 0, signal: e?.signal ?? null, stderr });
      },
    );
  });
}

describe('input files given to localhsm', () => {
  const dir = tempDir('localhsm-input-');
  const file = (name: string) => path.join(dir, name);
  before(() => {
    execFileSync('mkfifo', [file('fifo')]);
    fs.symlinkSync('/dev/zero', file('zero'));
    fs.writeFileSync(file('big.json'), Buffer.alloc(2 * 1024 * 1024, 0x20));
    fs.mkdirSync(file('dir'));
    execFileSync('openssl', ['genrsa', '-out', file('k.key'), '2048'], { stdio: 'ignore' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fifo = file('fifo');
  const cases: [string, string[], string][] = [
    [
      'a FIFO as --token of token sign',
      ['token', 'sign', '--token', fifo, '--private-key', file('k.key')],
      `error: Cannot read ${fifo}: it is a FIFO (named pipe), not a regular file`,
    ],
    [
      'a link to /dev/zero as --token of token verify',
      ['token', 'verify', '--token', file('zero'), '--public-key', file('k.key')],
      `error: Cannot read ${file('zero')}: it is a character device, not a regular file`,
    ],
    [
      'a FIFO as --private-key of token pubkey',
      ['token', 'pubkey', '--private-key', fifo],
      `error: Cannot read ${fifo}: it is a FIFO (named pipe), not a regular file`,
    ],
    [
      'a FIFO as --token of quorum approve',
      ['quorum', 'approve', '--token', fifo, '--username', 'a', '--private-key', file('k.key')],
      `error: Invalid quorum token file ${fifo}: cannot read it (it is a FIFO (named pipe), not a regular file)`,
    ],
    [
      'a 2 MiB approval file given to quorum merge',
      ['quorum', 'merge', file('big.json'), '-o', file('out.json')],
      `error: Invalid quorum token file ${file('big.json')}: cannot read it (it is larger than 1 MiB)`,
    ],
    [
      'a directory as --token of token sign',
      ['token', 'sign', '--token', file('dir'), '--private-key', file('k.key')],
      `error: Cannot read ${file('dir')}: it is a directory`,
    ],
  ];
  for (const [name, args, stderr] of cases) {
    it(`refuses ${name} at once with a clear message`, async () => {
      const run = await localhsm(args);
      assert.equal(run.signal, null, 'the command hung on the file');
      assert.equal(run.code, 1);
      assert.equal(run.stderr, stderr + '\n');
    });
  }

  it('writes a signed token file without following a link planted at the old temporary name (red team L4)', () => {
    const token = file('tsign.json');
    fs.writeFileSync(token, unsignedTokenFile([Buffer.alloc(32, 7).toString('base64')]));
    fs.writeFileSync(file('precious.txt'), 'precious data\n', { mode: 0o644 });
    // `exec` keeps the shell's PID, so the old `<file>.<pid>.tmp` name could be planted beforehand.
    execFileSync(
      'bash',
      [
        '-c',
        'ln -s "$1" "$2.$$.tmp"; exec "$3" "$4" token sign --token "$2" --private-key "$5" >/dev/null',
        'bash',
        file('precious.txt'),
        token,
        process.execPath,
        LOCALHSM_BIN,
        file('k.key'),
      ],
      { env: cleanEnv(), timeout: HUNG_MS },
    );
    assert.equal(fs.readFileSync(file('precious.txt'), 'utf8'), 'precious data\n');
    assert.equal(fs.statSync(file('precious.txt')).mode & 0o777, 0o644);
    assert.ok(fs.lstatSync(token).isFile());
    assert.equal(fs.statSync(token).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(token, 'utf8'), /"signed": "[A-Za-z0-9+/=]{344}"/);
  });
});
