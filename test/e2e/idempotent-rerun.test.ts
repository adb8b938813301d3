// Issue 14 item 2: a bootstrap script written like AWS's activation sample (it greps the real CLI's texts) re-runs cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { CLOUDHSM_CLI_BIN, cleanEnv } from '../helpers/processes.js';

// As in aws-samples/cloudhsm-workshop (activate_cluster.sh): activation is retried unless the answer is the exact
// "already activated" text; a user that exists is recognised by the substring "User already exists".
const BOOTSTRAP = String.raw`
set -euo pipefail
cli() { node "$CLI_BIN" "$@"; }
activate() {
  local out attempt
  for attempt in 1 2 3; do
    if out=$(cli cluster activate --password "$CO_PASSWORD"); then echo "cluster activated"; return 0; fi
    if grep -q '"data": "Cluster has already been activated"' <<<"$out"; then echo "cluster already activated"; return 0; fi
    echo "attempt $attempt failed: $out" >&2
  done
  return 1
}
create_user() {
  local out status=0
  out=$(CLOUDHSM_ROLE=admin CLOUDHSM_PIN="admin:$CO_PASSWORD" \
    cli user create --username app_cu --role crypto-user --password "$CU_PASSWORD") || status=$?
  if [ "$status" -eq 0 ]; then echo "user created"
  elif grep -q 'User already exists' <<<"$out"; then echo "user already exists (exit $status)"
  else echo "user create failed: $out" >&2; return 1
  fi
}
activate
create_user
`;

function runScript(state: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', BOOTSTRAP], {
      env: cleanEnv({
        LOCALHSM_STATE: state,
        CLI_BIN: CLOUDHSM_CLI_BIN,
        CO_PASSWORD: 'co-pass-12',
        CU_PASSWORD: 'cu-pass-12',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('a bootstrap script written for the real cloudhsm-cli, run twice', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ hsms: 2 });
  });
  after(() => cluster.close());

  it('first run activates the cluster and creates the user', async () => {
    assert.deepEqual(await runScript(cluster.dir), {
      code: 0,
      stdout: 'cluster activated\nuser created\n',
      stderr: '',
    });
  });

  it('the re-run recognises both "already" answers (exit status 1 each) and succeeds without retrying', async () => {
    assert.deepEqual(await runScript(cluster.dir), {
      code: 0,
      stdout: 'cluster already activated\nuser already exists (exit 1)\n',
      stderr: '',
    });
    assert.deepEqual(
      cluster.nodes.map((n) => n!.node.store.getUser('app_cu')?.role),
      ['crypto-user', 'crypto-user'],
    );
  });
});
