// The runbook drills of examples/runbooks: each script brings up its own cluster, rehearses one procedure with
// the real binaries and openssl, checks every step, and must end with its "drill passed" line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { ROOT, cleanEnv } from '../helpers/processes.js';

const DRILLS = path.join(ROOT, 'examples', 'runbooks');

/** Pids of processes whose command line mentions `dir` (HSM nodes are started with their data directory). */
function processesUnder(dir: string): number[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/** Each drill with lines its output must contain (beyond exit 0 and its final line). */
const EXPECTED: Record<string, { passed: string; lines: string[] }> = {
  'rotate-mfa-key.sh': {
    passed: "drill passed: alice's MFA key rotated",
    lines: [
      'ok: the rotation = {"error_code":0,"data":{"username":"alice","role":"crypto-user"}}',
      'ok: login with the old key = 1',
    ],
  },
  'recover-lost-mfa-key.sh': {
    passed: 'drill passed: alice recovered with a new MFA key',
    lines: [
      "ok: alice's quorum key (it went with the MFA key) = 0",
      'ok: alice logs in with the new key = 0',
    ],
  },
  'unlock-locked-admin.sh': {
    passed: 'drill passed: officer unlocked',
    lines: [
      "ok: officer's lock = true",
      "ok: officer's lock = false",
      'ok: officer logs in = Logout successful',
    ],
  },
  'quorum-ceremony.sh': {
    passed: 'drill passed: the user quorum value is 2',
    lines: [
      'ok: quorum keys = admin officer1 officer2',
      'ok: creating a user without approval = Quorum approval is required for this operation',
      'ok: create with officer1\'s approval = "Too few quorum approvals: currently 1 approvals, but 2 approvals required"',
      'ok: create with two approvals = {"username":"carol","role":"crypto-user"}',
    ],
  },
  'replace-failed-hsm.sh': {
    passed: 'drill passed: hsm-',
    lines: [
      'ok: a change while it is down = User create failed on 1 of 3 connections',
      'ok: every user on every HSM = admin:full alice:full bob:full carol:full app_user:full',
    ],
  },
};

describe('runbook drills (examples/runbooks)', () => {
  const scripts = fs
    .readdirSync(DRILLS)
    .filter((f) => f.endsWith('.sh') && f !== 'lib.sh')
    .sort();

  it('every drill is listed here with what it must print, and is executable', () => {
    assert.deepEqual(scripts, Object.keys(EXPECTED).sort());
    for (const s of scripts) assert.ok(fs.statSync(path.join(DRILLS, s)).mode & 0o100, `${s} is executable`);
  });

  for (const [script, expected] of Object.entries(EXPECTED)) {
    const check = (stdout: string) => {
      const lines = stdout.trimEnd().split('\n');
      assert.ok(lines.at(-1)!.startsWith(expected.passed), lines.at(-1));
      for (const line of expected.lines)
        assert.ok(lines.includes(line), `${script} did not print: ${line}\n${stdout}`);
    };
    it(`${script} passes against a fresh cluster and cleans up after itself`, () => {
      // The drill's mktemp directory lands in `tmp`, which must be empty again afterwards.
      const tmp = tempDir('localhsm-drill-');
      try {
        const run = spawnSync(path.join(DRILLS, script), [], {
          env: cleanEnv({ TMPDIR: tmp }),
          encoding: 'utf8',
          timeout: 120_000,
        });
        assert.equal(run.status, 0, `${script} failed:\n${run.stdout}\n${run.stderr}`);
        check(run.stdout);
        assert.deepEqual(fs.readdirSync(tmp), [], 'the drill removed its directory');
        assert.deepEqual(processesUnder(tmp), [], 'no HSM node of the drill is left running');
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
