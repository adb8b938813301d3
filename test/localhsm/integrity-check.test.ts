// A damaged hsm.db: the node checks it (quick_check) at open and exits with one clear line; hsm start / up report
// it and leave no node process behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { runLocalhsm } from '../helpers/localhsm.js';
import { tempDir } from '../helpers/cluster.js';
import { upDetached } from '../helpers/processes.js';

/** Processes whose command line names `dir` (a node serving that data directory). */
function processesFor(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('integrity check at start', () => {
  let root: string;
  let state: string;
  let hsmId: string;
  before(async () => {
    root = tempDir('integrity-');
    state = `${root}/s`;
    await upDetached(state, 1);
    hsmId = readManifest(state).hsms[0]!.id;
    assert.equal((await runLocalhsm(['hsm', 'stop', '--hsm', hsmId, '--state', state])).code, 0);
    // Bytes in the middle of the file: the users table's leaf page claims 65535 cells.
    const db = paths(state).hsm(hsmId).db;
    const page = 4096;
    assert.ok(fs.statSync(db).size > 4 * page);
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.from([0xff, 0xff]), 0, 2, 3 * page + 3);
    fs.closeSync(fd);
  });
  after(async () => {
    await runLocalhsm(['down', '--state', state]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('hsm start reports the damaged database and leaves no process', async () => {
    const run = await runLocalhsm(['hsm', 'start', '--hsm', hsmId, '--state', state]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      new RegExp(`HSM ${hsmId} exited at start \\(code 1\\): .*hsm\\.db is damaged \\(quick_check: `),
    );
    assert.deepEqual(processesFor(paths(state).hsm(hsmId).dir), []);
    const log = fs.readFileSync(paths(state).hsm(hsmId).log, 'utf8').trimEnd().split('\n');
    assert.equal(log.filter((l) => /damaged/.test(l)).length, 1);
    assert.match(log.at(-1)!, /hsm\.db is damaged .* the HSM does not start/);
  });

  it('localhsm up reports it too', async () => {
    const run = await runLocalhsm(['up', '--detach', '--state', state]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /hsm\.db is damaged \(quick_check: /);
    assert.deepEqual(processesFor(paths(state).hsm(hsmId).dir), []);
  });
});
