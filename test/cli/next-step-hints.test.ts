// Errors say what to do next (issue 15 item 3): the hint is on stderr, the envelope on stdout unchanged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startTestCluster, tempDir, type TestCluster } from '../helpers/cluster.js';
import { CLOUDHSM_CLI_BIN, cleanEnv } from '../helpers/processes.js';

describe('next-step hints', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ hsms: 2 });
  });
  after(async () => {
    await cluster.close();
  });

  const login = (password: string) =>
    cluster.cli(['login', '--username', 'admin', '--role', 'admin', '--password', password]);

  it('login before cluster activate: run cluster activate; not once activated', async () => {
    const before = await login('admin-pass-1');
    assert.deepEqual(before.json, { error_code: 1, data: 'Incorrect authentication credentials' });
    assert.match(before.stderr, /hint: the cluster is not activated yet: run cluster activate/);

    assert.equal(
      (await cluster.cli(['cluster', 'activate', '--password', 'admin-pass-1'])).json?.error_code,
      0,
    );
    const wrong = await login('wrong-pass-1');
    assert.deepEqual(wrong.json, { error_code: 1, data: 'Incorrect authentication credentials' });
    assert.doesNotMatch(wrong.stderr, /not activated/);
  });

  it('no cluster found: where it looked and how to create one', async () => {
    const empty = tempDir('localhsm-no-cluster-');
    try {
      const viaEnv = await runCli(['user', 'list'], { state: empty });
      assert.deepEqual(viaEnv.json, {
        error_code: 1,
        data: `Invalid configuration ${path.join(empty, 'cloudhsm-cli.cfg')}: ENOENT`,
      });
      assert.match(viaEnv.stderr, /hint: no cluster found in .* \(taken from LOCALHSM_STATE;/);
      assert.ok(viaEnv.stderr.includes(empty));
      assert.match(
        viaEnv.stderr,
        /--state DIR, else \$LOCALHSM_STATE, else \.\/\.localhsm\): create one with `localhsm up`/,
      );
      assert.ok(
        viaEnv.stderr.includes(
          '; without --state and LOCALHSM_STATE, cloudhsm-cli reads /opt/cloudhsm/etc/cloudhsm-cli.cfg (`localhsm install-paths` writes it)',
        ),
        viaEnv.stderr,
      );
      const viaFlag = await runCli(['--state', empty, 'user', 'list'], { state: empty });
      assert.match(viaFlag.stderr, /\(taken from --state;/);
      // Neither given: ./.localhsm, then the installed config (under the launcher's prefix) were looked at.
      const prefix = path.join(empty, 'root');
      const plain = spawnSync(process.execPath, [CLOUDHSM_CLI_BIN, 'user', 'list'], {
        cwd: empty,
        env: cleanEnv({ LOCALHSM_INSTALL_PREFIX: prefix }),
        encoding: 'utf8',
      });
      assert.equal(plain.status, 1);
      assert.ok(
        plain.stderr.includes(`(taken from ./.localhsm;`) &&
          plain.stderr.includes(
            `; no installed config in ${prefix}/opt/cloudhsm/etc/cloudhsm-cli.cfg either (\`localhsm install-paths\` writes one)`,
          ),
        plain.stderr,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('every HSM unreachable: run localhsm up, naming the state directory', async () => {
    await cluster.stopNode(0);
    await cluster.stopNode(1);
    try {
      const run = await cluster.cli(['user', 'list']);
      assert.equal(run.json?.error_code, 1);
      assert.match(String(run.json?.data), /^Failed to connect to any HSM of cluster /);
      assert.ok(
        run.stderr.includes(
          `hint: no HSM of this cluster answered: run \`localhsm up\` (state: ${cluster.dir})`,
        ),
      );
    } finally {
      await cluster.startNode(0);
      await cluster.startNode(1);
    }
  });
});
