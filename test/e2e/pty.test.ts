// bin/cloudhsm-cli interactive on a pseudo-terminal: the password prompt does not echo, tab completion
// completes `user li` to `user list`, and quit ends the process with status 0.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { CLOUDHSM_CLI_BIN } from '../helpers/processes.js';
import { PtySession } from '../helpers/pty.js';

const PROMPT = 'aws-cloudhsm > ';

describe('cloudhsm-cli interactive on a terminal', () => {
  let cluster: TestCluster;
  let term: PtySession;
  before(async () => {
    cluster = await startActivatedCluster();
    term = new PtySession(process.execPath, [CLOUDHSM_CLI_BIN, 'interactive'], {
      LOCALHSM_STATE: cluster.dir,
    });
    await term.waitFor(PROMPT);
  });
  after(async () => {
    term.kill();
    await cluster.close();
  });

  it('prompts for the password without echoing it, and prints the JSON answer', async () => {
    const start = term.output.length;
    term.type('login --username admin --role admin\r');
    await term.waitFor('Enter password:', start);
    const typed = term.output.length;
    term.type(`${ADMIN_PASSWORD}\r`);
    const answer = await term.waitFor(new RegExp(`\\}\\r?\\n${PROMPT}`), typed);
    assert.match(
      answer,
      /"error_code": 0,\r?\n\s+"data": \{\r?\n\s+"username": "admin",\r?\n\s+"role": "admin"/,
    );
    assert.ok(
      !term.output.includes(ADMIN_PASSWORD),
      `the password was echoed:\n${JSON.stringify(term.output)}`,
    );
    // Not even one masking character per key: nothing between the prompt and the answer but line ends.
    assert.match(answer, /^\s*\{/);
  });

  it('completes `user li<TAB>` to `user list`, which prints the users as JSON', async () => {
    const start = term.output.length;
    term.type('user li\t');
    await term.waitFor('user list', start);
    term.type('\r');
    const answer = await term.waitFor(new RegExp(`\\}\\r?\\n${PROMPT}`), start);
    const json = answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1).replace(/\r\n/g, '\n');
    const envelope = JSON.parse(json);
    assert.equal(envelope.error_code, 0);
    assert.deepEqual(
      envelope.data.users.map((u: { username: string }) => u.username),
      ['admin', 'app_user'],
    );
  });

  it('quit ends the process with exit status 0, keeping commands but no password in the history file', async () => {
    term.type('quit\r');
    const { exitCode } = await term.exited;
    assert.equal(exitCode, 0);
    const history = fs.readFileSync(paths(cluster.dir).history, 'utf8');
    assert.equal(history, 'login --username admin --role admin\nuser list\nquit\n');
    assert.equal(fs.statSync(paths(cluster.dir).history).mode & 0o777, 0o600);
    assert.ok(!term.output.includes(ADMIN_PASSWORD));
  });
});
