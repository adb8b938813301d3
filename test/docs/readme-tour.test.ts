// README.md's "A five-minute tour" followed literally against a real cluster: its interactive transcript fed to
// `cloudhsm-cli interactive`, then its single-command blocks run with bash, all read from README.md at run time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { CLOUDHSM_CLI_BIN, LOCALHSM_BIN, ROOT, cleanEnv, downIfPresent } from '../helpers/processes.js';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/**
 * The only substitutions: the reader types their own passwords where the README shows a prompt or
 * `<password>`. Each user's password is the one the tour set for them (admin at activation, alice at creation).
 */
const PASSWORDS: Record<string, string> = { admin: 'tour-admin-pw-1', alice: 'tour-alice-pw-1' };

/** The text of the section from `heading` to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const start = README.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README.md has no "${heading}" section`);
  const rest = README.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The body of the first fenced block of `lang` after `marker` in `text`. */
function blockAfter(text: string, marker: string, lang: string): string {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `README.md no longer says "${marker}"`);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(text.slice(at));
  assert.ok(m, `no \`\`\`${lang} block after "${marker}"`);
  return m[1];
}

const TOUR = section('## A five-minute tour');
const TRANSCRIPT = blockAfter(TOUR, '', 'text');
const SINGLE_COMMAND = blockAfter(TOUR, 'The same commands work in single-command mode', 'sh');
const KEYS = blockAfter(section('### Keys and signatures'), '', 'sh');

const PROMPT = 'aws-cloudhsm > ';

/** What the reader types: each `aws-cloudhsm > ` command (without its `# ...` note), then a password per prompt. */
function transcriptInput(transcript: string): { input: string; commands: string[] } {
  const lines: string[] = [];
  const commands: string[] = [];
  let user = '';
  for (const line of transcript.split('\n')) {
    if (line.startsWith(PROMPT)) {
      const command = line.slice(PROMPT.length).replace(/\s+#.*$/, '');
      commands.push(command);
      lines.push(command);
      user = /--username (\S+)/.exec(command)?.[1] ?? 'admin'; // `cluster activate` sets admin's password
    } else if (/^(Enter|Confirm) password:$/.test(line)) {
      assert.ok(PASSWORDS[user], `the tour prompts for the password of ${user}, who has none in this test`);
      lines.push(PASSWORDS[user]);
    }
  }
  return { input: `${lines.join('\n')}\n`, commands };
}

/** A sh block as the reader pastes it; the only change is their password for `NAME:<password>`. */
function withPasswords(block: string): string {
  return block.replace(/(\w+):<password>/g, (_all, user: string) => {
    assert.ok(PASSWORDS[user], `<password> of ${user}, who has none in this test`);
    return `${user}:${PASSWORDS[user]}`;
  });
}

/** Every JSON envelope of a run's stdout, in order (cloudhsm-cli prints each as a pretty-printed object). */
function envelopes(stdout: string): { error_code: number; data: unknown }[] {
  return [...stdout.matchAll(/^\{\n[\s\S]*?^\}$/gm)].map((m) => JSON.parse(m[0]));
}

describe('the README tour, followed literally from a fresh clone', () => {
  let dir: string;
  const state = () => path.join(dir, '.localhsm');
  const bash = (script: string) =>
    spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });

  before(() => {
    // The reader's clone: `./bin/...` is the repository's bin/, the cluster lives in ./.localhsm.
    dir = tempDir('localhsm-readme-tour-');
    fs.symlinkSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), 'dir');
  });
  after(async () => {
    await downIfPresent(state());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the README still has the parts this test follows', () => {
    const { commands } = transcriptInput(TRANSCRIPT);
    assert.ok(TRANSCRIPT.startsWith('$ npm start\n'));
    assert.ok(commands.includes('cluster activate') && commands.at(-1) === 'quit', commands.join(' | '));
    assert.match(SINGLE_COMMAND, /CLOUDHSM_PIN=admin:<password>/);
    assert.match(KEYS, /CLOUDHSM_PIN=alice:<password>/);
  });

  it('the interactive tour: every command succeeds and alice ends with full cluster coverage', () => {
    // `npm start` is `localhsm start`: `up` plus the shell, stopping the HSMs on quit. A test cannot type into
    // that shell's terminal, so it stands in with `up --detach` (plus --kdf fast and a free port range, for
    // speed and a shared machine), pipes the typed lines into `cloudhsm-cli interactive`, and stops the HSMs
    // after `quit` as `npm start` does.
    const up = spawnSync(
      process.execPath,
      [LOCALHSM_BIN, 'up', '--state', state(), '--kdf', 'fast', '--base-port', '0', '--detach'],
      { cwd: dir, env: cleanEnv(), encoding: 'utf8' },
    );
    assert.equal(up.status, 0, up.stderr);
    const shown = /^Creating cluster cluster-[a-z0-9]+ with (\d+) HSM\(s\) in \S+\/\.localhsm$/.exec(
      TRANSCRIPT.split('\n')[1],
    );
    assert.ok(shown, 'the README shows the "Creating cluster" line');
    const at = state().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(
      up.stderr,
      new RegExp(`^Creating cluster cluster-[a-z0-9]+ with ${shown[1]} HSM\\(s\\) in ${at}$`, 'm'),
    );

    const { input } = transcriptInput(TRANSCRIPT);
    const run = spawnSync(process.execPath, [CLOUDHSM_CLI_BIN, 'interactive'], {
      cwd: dir, // no --state: the shell finds ./.localhsm, as after `npm start`
      env: cleanEnv(),
      input,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const got = envelopes(run.stdout);
    // user list, cluster activate, login, user create, user list (help and quit print no envelope)
    assert.equal(got.length, 5, run.stdout);
    for (const envelope of got) assert.equal(envelope.error_code, 0, JSON.stringify(envelope));

    type Users = { data: { users: { username: string; role: string; 'cluster-coverage': string }[] } };
    const before = (got[0] as Users).data.users.map((u) => `${u.username}:${u.role}`);
    assert.deepEqual(before, ['admin:unactivated-admin', 'app_user:internal(APPLIANCE_USER)']);
    for (const shown of TRANSCRIPT.match(/^\{\n[\s\S]*?^\}$/gm) ?? [])
      assert.ok(
        got.some((e) => JSON.stringify(e) === JSON.stringify(JSON.parse(shown))),
        `README shows ${shown}`,
      );
    const alice = (got.at(-1) as Users).data.users.find((u) => u.username === 'alice');
    assert.equal(alice?.role, 'crypto-user');
    assert.equal(alice?.['cluster-coverage'], 'full');
    assert.match(run.stdout, /^Usage: user <COMMAND>$/m, 'help user');

    const down = spawnSync(process.execPath, [LOCALHSM_BIN, 'down', '--state', state()], { env: cleanEnv() });
    assert.equal(down.status, 0);
  });

  it('the single-command block resumes the cluster and creates bob, a crypto user', () => {
    const run = bash(withPasswords(SINGLE_COMMAND));
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /"username": "bob",\n\s*"role": "crypto-user"/);
    assert.equal(run.stdout.match(/^hsm-\S+\s+127\.0\.0\.1:\d+\s+up\s+4$/gm)?.length, 3, run.stdout);
  });

  it('the keys block, in the shell the previous block left: sign on the HSMs, verify with openssl, share', () => {
    // The reader's shell still has the previous block's exports (LOCALHSM_STATE among them).
    const exports = SINGLE_COMMAND.split('\n').filter((l) => l.startsWith('export '));
    const run = bash(withPasswords([...exports, KEYS].join('\n')));
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /"cluster-coverage": "full"/);
    assert.match(run.stdout, /^Verified OK$/m);
    assert.match(run.stdout, /"message": "Key shared successfully"/);
    assert.match(fs.readFileSync(path.join(dir, 'app-pub.pem'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    assert.ok(!fs.existsSync(state()), 'the last line (reset --yes) deleted the cluster');
  });
});
