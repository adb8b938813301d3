// The shell's Tab on a real pty: option values (`--service`, `--role`), file paths after `--token`, key labels in
// a filter (only the logged-in user's), a file prompt's path, and did-you-mean for a mistyped command; a prompt's
// answer stays out of the history file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { ADMIN_PASSWORD, startActivatedCluster, tempDir, type TestCluster } from '../helpers/cluster.js';
import { CLOUDHSM_CLI_BIN } from '../helpers/processes.js';
import { PtySession } from '../helpers/pty.js';

const PROMPT = 'aws-cloudhsm > ';

describe('Tab completion in cloudhsm-cli interactive on a terminal', () => {
  let cluster: TestCluster;
  let term: PtySession;
  let files: string;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 1 });
    // One HSM: token keys need the availability check off (as on a one-HSM CI cluster).
    const cfgFile = path.join(cluster.dir, 'cloudhsm-cli.cfg');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, disable_key_availability_check: true }));
    files = tempDir('localhsm-complete-');
    fs.writeFileSync(path.join(files, 'unsigned-token.json'), '{}');
    fs.mkdirSync(path.join(files, 'keys'));
    fs.writeFileSync(path.join(files, 'keys', 'approver.pub'), '');
    term = new PtySession(process.execPath, [CLOUDHSM_CLI_BIN, 'interactive'], {
      LOCALHSM_STATE: cluster.dir,
    });
    await term.waitFor(PROMPT);
  });
  after(async () => {
    term.kill();
    await cluster.close();
  });

  /** Types `keys`, waits until the terminal shows `shown`, then clears the line with Ctrl-C. */
  async function tabShows(keys: string, shown: string | RegExp): Promise<string> {
    const start = term.output.length;
    term.type(keys);
    const seen = await term.waitFor(shown, start);
    const cleared = term.output.length;
    term.type('\x03');
    await term.waitFor(PROMPT, cleared);
    return seen;
  }

  it('completes the values of --service, not option names', async () => {
    await tabShows('quorum token-sign generate --service us\t', '--service user');
    const listed = await tabShows(
      'quorum token-sign set-quorum-value --service \t\t',
      /user\s+quorum\s+cluster/,
    );
    assert.doesNotMatch(listed, /--cluster-id/);
  });

  it('completes the values of --role', async () => {
    await tabShows('user create --username bob --role cr\t', '--role crypto-user');
  });

  it('completes file names after --token, through directories', async () => {
    await tabShows(`login mfa-token-sign --token ${files}/uns\t`, `--token ${files}/unsigned-token.json`);
    await tabShows(`user change-quorum token-sign register --public-key ${files}/ke\t`, `${files}/keys/`);
    await tabShows(
      `user change-quorum token-sign register --public-key ${files}/keys/ap\t`,
      `${files}/keys/approver.pub`,
    );
  });

  it('suggests the command meant by a typo', async () => {
    const start = term.output.length;
    term.type('usr list\r');
    // Wait for the tip itself: a prompt from the previous test's Ctrl-C may still arrive after `start`.
    const tip = /error: unrecognized subcommand 'usr'\r?\n\r?\n {2}tip: a similar subcommand exists: 'user'/;
    const seen = await term.waitFor(new RegExp(`${tip.source}[\\s\\S]*${PROMPT}`), start);
    assert.match(seen, tip);
  });

  /** Types a command line and waits for the prompt after its JSON envelope. */
  async function run(line: string): Promise<string> {
    const start = term.output.length;
    term.type(`${line}\r`);
    return term.waitFor(new RegExp(`\\}\\r?\\n${PROMPT}`), start);
  }

  it("completes the labels of the keys the logged-in user sees in a key filter, and no one else's", async () => {
    await run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
    for (const user of ['carol', 'dave'])
      await run(`user create --username ${user} --role crypto-user --password ${ADMIN_PASSWORD}`);
    await run('logout');
    await run(`login --username carol --role crypto-user --password ${ADMIN_PASSWORD}`);
    await run('key generate-symmetric aes --label carols-key --key-length-bytes 16');
    await run('logout');
    await run(`login --username dave --role crypto-user --password ${ADMIN_PASSWORD}`);
    await run('key generate-symmetric aes --label cadets-key --key-length-bytes 16');
    // Only dave's key starts with "ca" for dave: Tab completes it whole (carol's would stop it at the common prefix).
    await tabShows('key list --filter attr.label=ca\t', 'attr.label=cadets-key');
    await tabShows('key delete --filter attr.l\t', 'attr.label=');
    await run('logout');
  });

  it('completes a file path at a prompt that asks for one, and keeps the answer out of the history', async () => {
    let start = term.output.length;
    term.type('login --username admin --role admin\r');
    await term.waitFor('Enter password:', start);
    start = term.output.length;
    term.type(`${ADMIN_PASSWORD}\r`);
    await term.waitFor(new RegExp(`\\}\\r?\\n${PROMPT}`), start);
    start = term.output.length;
    const token = path.join(files, 'admin-mfa.json');
    term.type(`user change-mfa token-sign --username admin --role admin --token ${token}\r`);
    await term.waitFor('Enter password:', start);
    start = term.output.length;
    term.type(`${ADMIN_PASSWORD}\r`);
    await term.waitFor('Confirm password:', start);
    start = term.output.length;
    term.type(`${ADMIN_PASSWORD}\r`);
    await term.waitFor('Enter signed token file path', start);
    start = term.output.length;
    term.type(`${files}/unsi\t`);
    await term.waitFor(`${files}/unsigned-token.json`, start);
    start = term.output.length;
    term.type('\r');
    await term.waitFor(PROMPT, start);
    term.type('quit\r');
    await term.exited;
    const history = fs.readFileSync(paths(cluster.dir).history, 'utf8');
    assert.ok(!history.includes('unsigned-token.json'), history);
    assert.match(history, /user change-mfa token-sign/);
  });
});
