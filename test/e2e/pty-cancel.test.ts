// Ctrl-C and Ctrl-D on a real terminal: at a prompt they cancel the command (nothing sent, back at
// `aws-cloudhsm > `); at the shell prompt Ctrl-C clears the line and Ctrl-D leaves; `localhsm start` stops
// the HSMs it started only when the shell exits, and says so.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, tempDir, type TestCluster } from '../helpers/cluster.js';
import {
  CLOUDHSM_CLI_BIN,
  LOCALHSM_BIN,
  cloudhsmCli,
  downIfPresent,
  localhsm,
  upDetached,
} from '../helpers/processes.js';
import { PtySession, plain } from '../helpers/pty.js';

const PROMPT = 'aws-cloudhsm > ';
const CTRL_C = '\x03';
const CTRL_D = '\x04';
/** A JSON answer followed by the next shell prompt. */
const ANSWERED = new RegExp(`\\}\\r?\\n${PROMPT}`);

/** Runs `user list` at the shell prompt and returns the usernames it answers with. */
async function usernames(term: PtySession): Promise<string[]> {
  const start = term.output.length;
  term.type('user list\r');
  const answer = await term.waitFor(ANSWERED, start);
  const json = answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1).replace(/\r\n/g, '\n');
  const envelope = JSON.parse(json);
  assert.equal(envelope.error_code, 0, json);
  return envelope.data.users.map((u: { username: string }) => u.username);
}

/** Types a command, waits for `question`, then presses `key`; returns what the terminal showed after the key. */
async function cancelAt(term: PtySession, command: string, question: string, key: string): Promise<string> {
  const start = term.output.length;
  term.type(`${command}\r`);
  await term.waitFor(question, start);
  const pressed = term.output.length;
  term.type(key);
  return term.waitFor(PROMPT, pressed);
}

describe('cloudhsm-cli interactive: Ctrl-C and Ctrl-D on a terminal', () => {
  let cluster: TestCluster;
  let term: PtySession;
  before(async () => {
    cluster = await startActivatedCluster();
    term = new PtySession(process.execPath, [CLOUDHSM_CLI_BIN, 'interactive'], {
      LOCALHSM_STATE: cluster.dir,
    });
    await term.waitFor(PROMPT);
    const start = term.output.length;
    term.type('login --username admin --role admin\r');
    await term.waitFor('Enter password:', start);
    term.type(`${ADMIN_PASSWORD}\r`);
    await term.waitFor(ANSWERED, start);
  });
  after(async () => {
    term.kill();
    await cluster.close();
  });

  it('Ctrl-C at a password prompt shows ^C, prints no answer and creates no user; the next command runs', async () => {
    const shown = await cancelAt(
      term,
      'user create --username carol --role crypto-user',
      'Enter password:',
      `half-typed${CTRL_C}`,
    );
    assert.match(shown, /^\^C\r?\n/);
    assert.ok(!shown.includes('error_code'), shown);
    assert.ok(!term.output.includes('half-typed'), 'the hidden input was echoed');
    assert.deepEqual(await usernames(term), ['admin', 'app_user']);
  });

  it('Ctrl-C at the second prompt (Confirm password:) cancels the command too', async () => {
    const start = term.output.length;
    term.type('user create --username carol --role crypto-user\r');
    await term.waitFor('Enter password:', start);
    term.type('carol-pass-1\r');
    await term.waitFor('Confirm password:', start);
    const pressed = term.output.length;
    term.type(CTRL_C);
    const shown = await term.waitFor(PROMPT, pressed);
    assert.match(shown, /^\^C\r?\n/);
    assert.ok(!shown.includes('error_code'), shown);
    assert.deepEqual(await usernames(term), ['admin', 'app_user']);
  });

  it('Ctrl-D at a password prompt cancels the command the same way, and the shell keeps reading', async () => {
    const shown = await cancelAt(
      term,
      'user create --username dave --role crypto-user',
      'Enter password:',
      CTRL_D,
    );
    assert.ok(!shown.includes('error_code'), shown);
    assert.deepEqual(await usernames(term), ['admin', 'app_user']);
  });

  it('Ctrl-C at a file prompt (the signed token file of user change-mfa) cancels the change', async () => {
    const token = path.join(tempDir(), 'unsigned-tokens.json');
    const start = term.output.length;
    term.type(`user change-mfa token-sign --username admin --role admin --token ${token}\r`);
    await term.waitFor('Enter password:', start);
    term.type(`${ADMIN_PASSWORD}\r`);
    await term.waitFor('Confirm password:', start);
    term.type(`${ADMIN_PASSWORD}\r`);
    await term.waitFor('Enter signed token file path', start);
    const pressed = term.output.length;
    term.type(`${token}${CTRL_C}`);
    const shown = await term.waitFor(PROMPT, pressed);
    assert.match(shown, /\^C\r?\n/);
    assert.ok(!shown.includes('error_code'), shown);
    const listed = term.output.length;
    assert.deepEqual(await usernames(term), ['admin', 'app_user']);
    // No MFA key was registered for admin.
    assert.match(plain(term.output.slice(listed)), /"username": "admin",[^}]*"mfa": \[\]/);
  });

  it('Ctrl-C at the shell prompt shows ^C and drops the typed line (as bash does); the shell keeps running', async () => {
    const start = term.output.length;
    term.type('user delete --username admin --role admin');
    await term.waitFor('--role admin', start);
    const pressed = term.output.length;
    term.type(CTRL_C);
    const shown = await term.waitFor(PROMPT, pressed);
    assert.match(shown, /^\^C\r?\n/);
    // Enter on the cleared line runs nothing.
    term.type('\r');
    await term.waitFor(new RegExp(`${PROMPT}[^]*${PROMPT}`), pressed);
    assert.ok(!term.output.slice(pressed).includes('error_code'));
    assert.deepEqual(await usernames(term), ['admin', 'app_user']);
  });

  it('Ctrl-D at the empty shell prompt leaves the shell with status 0', async () => {
    term.type(CTRL_D);
    const { exitCode } = await term.exited;
    assert.equal(exitCode, 0);
  });
});

describe('cloudhsm-cli single-command mode: Ctrl-C at the password prompt', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster();
  });
  after(() => cluster.close());

  // The timeout is a safety net against a process that never exits, not a measurement.
  it('ends the process with status 130 and prints no answer', { timeout: 60_000 }, async () => {
    const term = new PtySession(process.execPath, [CLOUDHSM_CLI_BIN, 'cluster', 'activate'], {
      LOCALHSM_STATE: cluster.dir,
    });
    try {
      await term.waitFor('Enter password:');
      term.type(CTRL_C);
      await term.waitFor('^C');
      assert.equal((await term.exited).exitCode, 130);
      assert.ok(!term.output.includes('error_code'), term.output);
    } finally {
      term.kill();
    }
  });
});

describe('cloudhsm-cli interactive: a script that ends while a prompt waits', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster();
  });
  after(() => cluster.close());

  it('ends the process with status 1 and the input-ended answer', async () => {
    const run = await cloudhsmCli(cluster.dir, ['interactive'], {
      input: 'login --username admin --role admin\n',
    });
    assert.equal(run.exitCode, 1);
    assert.equal(
      run.stdout,
      '{\n  "error_code": 1,\n  "data": "Input ended before a value was entered for: Enter password:"\n}\n',
    );
  });
});

describe('localhsm start: the HSMs outlive a cancelled prompt and stop when the shell exits', () => {
  const state = tempDir();
  after(() => downIfPresent(state));

  it('keeps the HSMs up after Ctrl-C and Ctrl-D at prompts, and Ctrl-D at the empty prompt stops them and says so', async () => {
    const term = new PtySession(
      process.execPath,
      [LOCALHSM_BIN, 'start', '--state', state, '--kdf', 'fast', '--base-port', '0'],
      {},
    );
    try {
      await term.waitFor(PROMPT);
      await cancelAt(term, 'cluster activate', 'Enter password:', CTRL_D);
      await cancelAt(term, 'cluster activate', 'Enter password:', CTRL_C);
      assert.equal((await localhsm(['status', '--state', state])).exitCode, 0, 'an HSM was stopped');
      assert.deepEqual(await usernames(term), ['admin', 'app_user']);
      const before = term.output.length;
      term.type(CTRL_D);
      await term.waitFor(`Stopped 3 HSMs; state kept in ${state}`, before);
      assert.equal((await term.exited).exitCode, 0);
      assert.equal((await localhsm(['status', '--state', state])).exitCode, 1, 'an HSM is still running');
    } finally {
      term.kill();
    }
  });

  it('quit leaves HSMs it did not start running, and says so', async () => {
    await upDetached(state);
    const term = new PtySession(process.execPath, [LOCALHSM_BIN, 'start', '--state', state], {});
    try {
      await term.waitFor(PROMPT);
      const before = term.output.length;
      term.type('quit\r');
      await term.waitFor('HSMs left running', before);
      assert.equal((await term.exited).exitCode, 0);
      assert.equal((await localhsm(['status', '--state', state])).exitCode, 0);
    } finally {
      term.kill();
    }
  });
});
