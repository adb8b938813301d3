// localhsm errors say what to do next: where it looked for the cluster and how to create one; `localhsm up`
// when no HSM answers (issue 15 item 3).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { downIfPresent, localhsm, upDetached } from '../helpers/processes.js';

describe('localhsm next-step hints', () => {
  const dir = tempDir('localhsm-next-');
  const state = path.join(dir, 'state');
  before(async () => {
    await upDetached(state, 1);
    await localhsm(['down', '--state', state]);
  });
  after(() => downIfPresent(state));

  it('no cluster: names the directory, where its name came from, and how to create one', async () => {
    const missing = path.join(dir, 'nothing-here');
    const viaFlag = await localhsm(['status', '--state', missing]);
    assert.equal(viaFlag.exitCode, 1);
    assert.equal(
      viaFlag.stderr,
      `error: No LocalHSM cluster in ${missing}\n` +
        `hint: looked in ${missing} (from --state; the state directory is --state DIR, else $LOCALHSM_STATE, else ./.localhsm): ` +
        'create a cluster there with `localhsm up`, or point --state / LOCALHSM_STATE at an existing one\n',
    );
    const viaEnv = await localhsm(['audit', 'verify'], { env: { LOCALHSM_STATE: missing } });
    assert.match(viaEnv.stderr, new RegExp(`hint: looked in ${missing} \\(from LOCALHSM_STATE;`));
  });

  it('every HSM down: run localhsm up (state: DIR)', async () => {
    const run = await localhsm(['time', 'show', '--state', state]);
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, /error: Failed to connect to any HSM of cluster/);
    assert.ok(
      run.stderr.endsWith(`hint: no HSM of this cluster answered: run \`localhsm up\` (state: ${state})\n`),
      run.stderr,
    );
  });
});
