// A real multi-process cluster: kill -9 of one node, degraded answers, resume with state intact, down/up, reset.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClusterManifest, paths, readManifest } from '../../src/cluster/state-dir.js';
import { tempDir } from '../helpers/cluster.js';
import {
  CLOUDHSM_CLI_BIN,
  cloudhsmCli,
  downIfPresent,
  localhsm,
  processGone,
  upDetached,
  waitUntilGone,
} from '../helpers/processes.js';

const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: 'admin:admin-pass-1' };

function pidOf(state: string, hsmId: string): number {
  return Number(fs.readFileSync(paths(state).hsm(hsmId).pid, 'utf8').trim());
}

function statusLines(stdout: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^(hsm-[a-z2-7]{11})\s+(\S+)\s+(up|down)\s+(\S+)$/.exec(line);
    if (m) rows.set(m[1]!, `${m[2]} ${m[3]} ${m[4]}`);
  }
  return rows;
}

describe('a real 3-process cluster', () => {
  let root: string;
  let state: string;
  let manifest: ClusterManifest;
  let upOutput: string;

  before(async () => {
    root = tempDir('localhsm-e2e-');
    state = path.join(root, 'state');
    upOutput = (await upDetached(state)).stdout;
    manifest = readManifest(state);
  });
  after(async () => {
    await downIfPresent(state);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('comes up with three HSMs answering, and says how to use it', async () => {
    assert.match(
      upOutput,
      new RegExp(`^Cluster ${manifest.clusterId} is up: 3 HSM\\(s\\) answering\\.$`, 'm'),
    );
    assert.ok(
      upOutput.includes(`Use it:  LOCALHSM_STATE=${state} ${CLOUDHSM_CLI_BIN} interactive`),
      upOutput,
    );
    assert.equal(manifest.hsms.length, 3);
    const status = await localhsm(['status', '--state', state]);
    assert.equal(status.exitCode, 0, status.stderr);
    assert.deepEqual(
      [...statusLines(status.stdout)].sort(),
      manifest.hsms.map((h) => [h.id, `${h.host}:${h.port} up 2`]).sort(),
    );
    assert.ok(manifest.hsms.every((h) => !processGone(pidOf(state, h.id))));
  });

  it('activates and creates a user through bin/cloudhsm-cli', async () => {
    const activate = await cloudhsmCli(state, ['cluster', 'activate', '--password', 'admin-pass-1']);
    assert.deepEqual(
      { exit: activate.exitCode, out: JSON.parse(activate.stdout) },
      { exit: 0, out: { error_code: 0, data: 'Cluster activation successful' } },
    );
    const create = await cloudhsmCli(
      state,
      ['user', 'create', '--username', 'alice', '--role', 'crypto-user', '--password', 'alice-pass-1'],
      {
        env: ADMIN,
      },
    );
    assert.deepEqual(JSON.parse(create.stdout), {
      error_code: 0,
      data: { username: 'alice', role: 'crypto-user' },
    });
    assert.equal(create.exitCode, 0);
  });

  it('after kill -9 of one node: status shows it down, user list answers from the other two with a warning', async () => {
    const victim = manifest.hsms[1]!;
    const pid = pidOf(state, victim.id);
    process.kill(pid, 'SIGKILL');
    await waitUntilGone(pid);

    const status = await localhsm(['status', '--state', state]);
    assert.equal(status.exitCode, 1);
    const rows = statusLines(status.stdout);
    assert.equal(rows.get(victim.id), `${victim.host}:${victim.port} down -`);
    for (const h of manifest.hsms.filter((x) => x.id !== victim.id))
      assert.equal(rows.get(h.id), `${h.host}:${h.port} up 3`);

    const list = await cloudhsmCli(state, ['user', 'list']);
    assert.equal(list.exitCode, 0);
    const out = JSON.parse(list.stdout);
    assert.equal(out.error_code, 0);
    assert.deepEqual(
      out.data.users.map((u: { username: string }) => u.username),
      ['admin', 'alice', 'app_user'],
    );
    assert.equal(
      list.stderr,
      `warning: HSM at ${victim.host}:${victim.port} did not answer (connect ECONNREFUSED ${victim.host}:${victim.port})\n`,
    );
  });

  it('localhsm up brings the killed node back with its state intact', async () => {
    const victim = manifest.hsms[1]!;
    const up = await localhsm(['up', '--state', state, '--detach']);
    assert.equal(up.exitCode, 0, up.stderr);
    assert.ok(up.stderr.includes(`Resuming cluster ${manifest.clusterId} from ${state}`));
    assert.ok(up.stderr.includes(`  ${victim.id} starting on ${victim.host}:${victim.port}`));
    for (const h of manifest.hsms.filter((x) => x.id !== victim.id)) {
      assert.ok(up.stderr.includes(`  ${h.id} already running on ${h.host}:${h.port}`));
    }

    const status = await localhsm(['status', '--state', state]);
    assert.equal(status.exitCode, 0);
    assert.equal(statusLines(status.stdout).get(victim.id), `${victim.host}:${victim.port} up 3`);

    const list = await cloudhsmCli(state, ['user', 'list']);
    assert.equal(list.stderr, '');
    assert.deepEqual(JSON.parse(list.stdout).data.users[1], {
      username: 'alice',
      role: 'crypto-user',
      locked: 'false',
      mfa: [],
      quorum: [],
      'cluster-coverage': 'full',
    });
    // The restarted node still holds alice's password hash: a login must succeed on all three HSMs.
    const asAlice = await cloudhsmCli(state, ['user', 'list'], {
      env: { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'alice:alice-pass-1' },
    });
    assert.equal(asAlice.exitCode, 0);
    const login = await cloudhsmCli(state, [
      'login',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      'alice-pass-1',
    ]);
    assert.deepEqual(
      { exit: login.exitCode, out: JSON.parse(login.stdout), err: login.stderr },
      {
        exit: 0,
        out: { error_code: 0, data: { username: 'alice', role: 'crypto-user' } },
        err: '',
      },
    );
  });

  it('down stops every node; up on the existing directory resumes the same cluster', async () => {
    const pids = manifest.hsms.map((h) => pidOf(state, h.id));
    const down = await localhsm(['down', '--state', state]);
    assert.equal(down.exitCode, 0);
    assert.match(down.stdout, new RegExp(`^Cluster ${manifest.clusterId}: stopped 3 HSM\\(s\\)`));
    assert.ok(pids.every(processGone));
    const status = await localhsm(['status', '--state', state]);
    assert.equal(status.exitCode, 1);
    assert.deepEqual(
      [...statusLines(status.stdout).values()].map((v) => v.split(' ')[1]),
      ['down', 'down', 'down'],
    );

    const up = await localhsm(['up', '--state', state, '--detach', '--hsms', '5']);
    assert.equal(up.exitCode, 0, up.stderr);
    assert.ok(
      up.stderr.includes(
        `note: --hsms only applies to a new cluster; resuming ${manifest.clusterId} as it is`,
      ),
    );
    assert.match(
      up.stdout,
      new RegExp(`^Cluster ${manifest.clusterId} is up: 3 HSM\\(s\\) answering\\.$`, 'm'),
    );
    assert.deepEqual(readManifest(state), manifest);
    const list = await cloudhsmCli(state, ['user', 'list']);
    assert.deepEqual(
      JSON.parse(list.stdout).data.users.map(
        (u: { username: string; 'cluster-coverage': string }) => `${u.username}:${u['cluster-coverage']}`,
      ),
      ['admin:full', 'alice:full', 'app_user:full'],
    );
  });

  it('reset stops the nodes (after --yes) and deletes the state directory; it refuses a directory without a cluster', async () => {
    const stranger = path.join(root, 'not-a-cluster');
    fs.mkdirSync(stranger);
    fs.writeFileSync(path.join(stranger, 'keep.txt'), 'x');
    const refused = await localhsm(['reset', '--state', stranger]);
    assert.deepEqual(
      { exit: refused.exitCode, out: refused.stdout, err: refused.stderr },
      { exit: 1, out: '', err: `error: ${stranger} holds no LocalHSM cluster; nothing deleted\n` },
    );
    assert.ok(fs.existsSync(path.join(stranger, 'keep.txt')));

    const pids = manifest.hsms.map((h) => pidOf(state, h.id));
    // Running HSMs: without a terminal, reset refuses unless --yes, and says how.
    const unconfirmed = await localhsm(['reset', '--state', state]);
    assert.equal(unconfirmed.exitCode, 1);
    assert.match(unconfirmed.stderr, new RegExp(`run: localhsm reset --state ${state} --yes\n$`));
    assert.ok(fs.existsSync(state));
    const reset = await localhsm(['reset', '--state', state, '--yes']);
    assert.deepEqual(
      { exit: reset.exitCode, out: reset.stdout },
      { exit: 0, out: `Deleted the cluster in ${state}.\n` },
    );
    assert.equal(fs.existsSync(state), false);
    assert.ok(pids.every(processGone));
  });
});
