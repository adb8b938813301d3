// localhsm time advance / reset / show on a --dev-clock cluster: every HSM moves, an expired MFA token is
// rehearsed through cloudhsm-cli, and clusters created without --dev-clock refuse.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../src/tokens/token-sign.js';
import { type TestCluster, startTestCluster, tempDir, startActivatedCluster } from '../helpers/cluster.js';
import { dialog } from '../helpers/dialog.js';
import { testKeyPair } from '../helpers/keys.js';
import { runLocalhsm } from '../helpers/localhsm.js';

const SIGNED_PROMPT = 'Enter signed token file path (press enter if same as the unsigned token file):';
// ManualClock's start: the in-process HSMs' system clock in these tests.
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('localhsm time (dev clock)', () => {
  let cluster: TestCluster;
  let work: string;
  const time = (...args: string[]) => runLocalhsm(['time', ...args, '--state', cluster.dir]);
  const offsets = () => cluster.nodes.map((n) => n?.node.devClock?.offsetMs);

  before(async () => {
    work = tempDir('localhsm-time-');
    fs.writeFileSync(path.join(work, 'alice.pub'), testKeyPair('alice').publicPem);
    cluster = await startTestCluster({
      hsms: 2,
      devClock: true,
      seed: {
        users: [
          { username: 'admin', role: 'admin', password: 'admin-pass-1' },
          {
            username: 'alice',
            role: 'crypto-user',
            password: 'alice-pass-1',
            mfaPublicKey: testKeyPair('alice').publicPem,
          },
        ],
        timeouts: { mfaToken: '5m' },
      },
    });
  });
  after(async () => {
    await cluster.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('advances, shows and resets the clock of every HSM', async () => {
    assert.deepEqual(await time('show'), {
      code: 0,
      stdout: `Clock of ${cluster.manifest.clusterId} is 2026-01-01T00:00:00.000Z (the system clock) on 2 HSM(s).\n`,
      stderr: '',
    });
    assert.deepEqual(await time('advance', '1h30m'), {
      code: 0,
      stdout: `Clock of ${cluster.manifest.clusterId} advanced by 1h30m: now 2026-01-01T01:30:00.000Z (system clock + 1h30m) on 2 HSM(s).\n`,
      stderr: '',
    });
    assert.deepEqual(offsets(), [5_400_000, 5_400_000]);
    assert.equal(
      (await time('advance', '90s')).stdout,
      `Clock of ${cluster.manifest.clusterId} advanced by 1m30s: now 2026-01-01T01:31:30.000Z (system clock + 1h31m30s) on 2 HSM(s).\n`,
    );
    assert.deepEqual(await time('reset'), {
      code: 0,
      stdout: `Clock of ${cluster.manifest.clusterId} reset: now 2026-01-01T00:00:00.000Z (the system clock) on 2 HSM(s).\n`,
      stderr: '',
    });
    assert.deepEqual(offsets(), [0, 0]);
  });

  it('rehearses an MFA token that expires while the user signs it', async () => {
    const tokenFile = path.join(work, 'login.json');
    const run = await dialog(
      cluster.dir,
      [
        'login',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        '--password',
        'alice-pass-1',
        'mfa-token-sign',
        '--token',
        tokenFile,
      ],
      [
        {
          prompt: SIGNED_PROMPT,
          answer: async () => {
            // The signer takes longer than the token lifetime (5 minutes in the seed).
            assert.equal((await time('advance', '6m')).code, 0);
            const doc = JSON.parse(fs.readFileSync(tokenFile, 'utf8')) as {
              tokens: { unsigned: string; signed: string }[];
            };
            for (const t of doc.tokens)
              t.signed = signToken(
                testKeyPair('alice').privateKey,
                Buffer.from(t.unsigned, 'base64'),
              ).toString('base64');
            fs.writeFileSync(tokenFile, JSON.stringify(doc));
            return '';
          },
        },
      ],
    );
    assert.equal(run.exitCode, 1);
    assert.match(
      run.json!.data,
      /^Token 1 of 2 \(unsigned [A-Za-z0-9+/=]{44}\) failed verification on HSM at 127\.0\.0\.1:\d+: The token expired \(300 seconds after it was issued\); run the command again for new tokens$/,
    );
    assert.equal((await time('reset')).code, 0);
  });

  it('brings an HSM that missed a move onto the others with advance 0s', async () => {
    await cluster.stopNode(1);
    const moved = await time('advance', '10m');
    assert.equal(moved.code, 0);
    assert.match(
      moved.stdout,
      /advanced by 10m: now 2026-01-01T00:10:00\.000Z \(system clock \+ 10m\) on 1 of 2 HSM\(s\)\.\n$/,
    );
    assert.match(
      moved.stderr,
      /^warning: HSM at 127\.0\.0\.1:\d+ did not answer \(connect ECONNREFUSED [\d.:]+\)\n$/,
    );
    await cluster.startNode(1);
    assert.deepEqual(offsets(), [600_000, 0]);
    const shown = await time('show');
    assert.match(
      shown.stderr,
      /^warning: the HSMs' clocks disagree \(offsets 10m, 0s\); localhsm time advance 0s aligns them\n$/,
    );
    assert.equal((await time('advance', '0s')).code, 0);
    assert.deepEqual(offsets(), [600_000, 600_000]);
    assert.equal((await time('reset')).code, 0);
  });

  it('refuses a duration it cannot read', async () => {
    assert.deepEqual(await time('advance', '10 minutes'), {
      code: 1,
      stdout: '',
      stderr: "error: Invalid duration '10 minutes': expected a duration such as 90s, 10m, 2h, 1h30m or 1d\n",
    });
    const missing = await runLocalhsm(['time', 'advance', '--state', cluster.dir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /<DURATION>/);
  });
});

describe('localhsm time on a cluster created without --dev-clock', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
  });
  after(() => cluster.close());

  it('is refused, and no HSM clock moves', async () => {
    for (const args of [['advance', '10m'], ['reset'], ['show']]) {
      assert.deepEqual(await runLocalhsm(['time', ...args, '--state', cluster.dir]), {
        code: 1,
        stdout: '',
        stderr:
          'error: The clock of this HSM cannot be moved: the cluster was not created with localhsm up --dev-clock\n',
      });
    }
    assert.ok(cluster.nodes.every((n) => n!.node.devClock === undefined && n!.node.clock.now() === T0));
  });
});
