// The state directory is LocalHSM's only when it says so (report M7): up refuses a foreign non-empty directory,
// reset deletes only what LocalHSM created there and asks before stopping running HSMs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { localhsmMain } from '../../src/localhsm/main.js';
import { runLocalhsm } from '../helpers/localhsm.js';
import { tempDir } from '../helpers/cluster.js';

const up = (state: string) =>
  runLocalhsm(['up', '--hsms', '1', '--kdf', 'fast', '--base-port', '0', '--detach', '--state', state]);

/** localhsm reset with a stdin that says it is a terminal, answering `answer`. */
async function resetOnTerminal(state: string, answer: string) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  stdin.end(`${answer}\n`);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c));
  const stderr = new PassThrough().on('data', (c: Buffer) => err.push(c));
  const code = await localhsmMain(['reset', '--state', state], {}, { stdin, stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('state directory ownership', () => {
  let root: string;
  before(() => {
    root = tempDir('state-dir-');
  });
  after(async () => {
    for (const name of fs.readdirSync(root)) await runLocalhsm(['down', '--state', path.join(root, name)]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('up refuses a non-empty directory that is not a LocalHSM state directory, and changes nothing in it', async () => {
    const project = path.join(root, 'project');
    fs.mkdirSync(path.join(project, 'src'), { recursive: true, mode: 0o755 });
    fs.chmodSync(project, 0o755);
    fs.writeFileSync(path.join(project, 'important.txt'), 'precious');
    const run = await up(project);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /is not empty and is not a LocalHSM state directory \(it holds important\.txt, src\); nothing was created/,
    );
    assert.deepEqual(fs.readdirSync(project).sort(), ['important.txt', 'src']);
    assert.equal(fs.statSync(project).mode & 0o777, 0o755);
  });

  it('a new cluster is marked; reset keeps foreign files (and the directory), deleting only its own', async () => {
    const state = path.join(root, 'mixed');
    assert.equal((await up(state)).code, 0);
    assert.ok(fs.existsSync(paths(state).marker));
    const hsm = readManifest(state).hsms[0]!.id;
    fs.writeFileSync(path.join(state, 'notes.txt'), 'mine');
    fs.writeFileSync(path.join(paths(state).hsm(hsm).dir, 'extra.bin'), 'mine too');
    const run = await runLocalhsm(['reset', '--state', state, '--yes']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `Deleted the cluster in ${state}.\n`);
    assert.equal(
      run.stderr,
      `Kept ${state}: it holds files LocalHSM did not create, which were not deleted: hsms/${hsm}/extra.bin, notes.txt\n`,
    );
    assert.deepEqual(fs.readdirSync(state).sort(), ['hsms', 'notes.txt']);
    assert.deepEqual(fs.readdirSync(path.join(state, 'hsms', hsm)), ['extra.bin']);
  });

  it('a cluster made before markers (cluster.json, no marker) is resumed and marked', async () => {
    const state = path.join(root, 'older');
    assert.equal((await up(state)).code, 0);
    assert.equal((await runLocalhsm(['down', '--state', state])).code, 0);
    fs.rmSync(paths(state).marker);
    const resumed = await runLocalhsm(['up', '--detach', '--state', state]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(fs.existsSync(paths(state).marker));
  });

  it('reset of running HSMs: refused without a terminal and --yes, asked on a terminal', async () => {
    const state = path.join(root, 'older');
    const hsm = readManifest(state).hsms[0]!.id;
    const refused = await runLocalhsm(['reset', '--state', state]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `^error: 1 HSM\\(s\\) of cluster-\\w+ are running \\(${hsm}\\); nothing deleted\\. To stop them and delete the cluster, run: localhsm reset --state ${state} --yes\\n$`,
      ),
    );
    const declined = await resetOnTerminal(state, 'n');
    assert.equal(declined.code, 1);
    assert.match(declined.stderr, /are running .* Stop them and delete the cluster in .*\? \[y\/N\] /);
    assert.ok(fs.existsSync(paths(state).manifest));
    const status = await runLocalhsm(['status', '--state', state]);
    assert.match(status.stdout + status.stderr, /up/);
    const confirmed = await resetOnTerminal(state, 'y');
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.equal(fs.existsSync(state), false);
  });
});
