// Issue 14 item 1: quorum registration in separate cloudhsm-cli processes (generate, sign with openssl, register).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { LOCALHSM_BIN, cloudhsmCli, runBin } from '../helpers/processes.js';
import { bash } from '../helpers/localhsm.js';

const ADMIN2_PASSWORD = 'admin2-pass-1';
const as = (username: string, password: string) => ({
  CLOUDHSM_ROLE: 'admin',
  CLOUDHSM_PIN: `${username}:${password}`,
});
const ADMIN = as('admin', ADMIN_PASSWORD);
const ADMIN2 = as('admin2', ADMIN2_PASSWORD);

/** The guide's recipe for each token: base64 -d, openssl pkeyutl -sign -pkeyopt digest:sha256, base64 -w0. */
function opensslSign(dir: string, tokenFile: string, keyFile: string): void {
  const json = JSON.parse(fs.readFileSync(tokenFile, 'utf8'));
  for (const entry of json.tokens) {
    fs.writeFileSync(path.join(dir, 'unsigned.b64'), entry.unsigned);
    entry.signed = bash(
      `base64 -d unsigned.b64 > token.bin && openssl pkeyutl -sign -inkey ${keyFile} -pkeyopt digest:sha256 -keyform PEM -in token.bin -out sig.bin && base64 -w0 sig.bin`,
      dir,
    );
  }
  fs.writeFileSync(tokenFile, JSON.stringify(json, null, 2));
}

describe('quorum registration across cloudhsm-cli processes', () => {
  let cluster: TestCluster;
  let other: TestCluster;
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => cloudhsmCli(cluster.dir, args, { env });
  const generate = (name: string, env: NodeJS.ProcessEnv = {}) =>
    cli(['quorum', 'token-sign', 'generate', '--service', 'registration', '--token', file(name)], env);
  const register = (pub: string, signed: string, env: NodeJS.ProcessEnv) =>
    cli(
      [
        'user',
        'change-quorum',
        'token-sign',
        'register',
        '--public-key',
        file(pub),
        '--signed-token',
        file(signed),
      ],
      env,
    );
  const quorumKeys = (username: string) =>
    cluster.nodes.map((n) => n!.node.store.getUser(username)!.quorumPublicKey);
  const pem = (name: string) => fs.readFileSync(file(name), 'utf8');

  before(async () => {
    [cluster, other] = await Promise.all([
      startActivatedCluster({ hsms: 3 }),
      startActivatedCluster({ hsms: 2 }),
    ]);
    dir = cluster.dir;
    const made = await cli(
      ['user', 'create', '--username', 'admin2', '--role', 'admin', '--password', ADMIN2_PASSWORD],
      ADMIN,
    );
    assert.equal(made.exitCode, 0, made.stdout);
    for (const name of ['admin', 'admin2', 'intruder'])
      bash(
        `openssl genrsa -out ${name}.key 2048 2>/dev/null && openssl rsa -in ${name}.key -pubout -out ${name}.pub 2>/dev/null`,
        dir,
      );
  });
  after(async () => {
    await Promise.all([cluster?.close(), other?.close()]);
  });

  it('generates in one process and registers in another: one entry registers on all three HSMs', async () => {
    const generated = await generate('admin2-reg.json', ADMIN2);
    assert.deepEqual(
      [generated.exitCode, JSON.parse(generated.stdout)],
      [0, { error_code: 0, data: { filepath: file('admin2-reg.json') } }],
    );
    const unsigned = JSON.parse(fs.readFileSync(file('admin2-reg.json'), 'utf8'));
    assert.equal(unsigned.version, '2.0');
    assert.equal(unsigned.tokens.length, 1);
    assert.equal(Buffer.from(unsigned.tokens[0].approval_data, 'base64').length, 3 * 80);
    opensslSign(dir, file('admin2-reg.json'), 'admin2.key');
    const registered = await register('admin2.pub', 'admin2-reg.json', ADMIN2);
    assert.deepEqual(
      [registered.exitCode, JSON.parse(registered.stdout), registered.stderr],
      [0, { error_code: 0, data: { username: 'admin2', role: 'admin' } }, ''],
    );
    assert.deepEqual(quorumKeys('admin2'), new Array(3).fill(pem('admin2.pub')));
  });

  it('generates before login (no CLOUDHSM_PIN); the registering login decides whose key it is', async () => {
    const generated = await generate('open-reg.json');
    assert.equal(generated.exitCode, 0, generated.stdout);
    const signed = await runBin(LOCALHSM_BIN, [
      'token',
      'sign',
      '--token',
      file('open-reg.json'),
      '--private-key',
      file('admin.key'),
    ]);
    assert.equal(signed.exitCode, 0, signed.stderr);
    const registered = await register('admin.pub', 'open-reg.json', ADMIN);
    assert.deepEqual(JSON.parse(registered.stdout), {
      error_code: 0,
      data: { username: 'admin', role: 'admin' },
    });
    assert.deepEqual(quorumKeys('admin'), new Array(3).fill(pem('admin.pub')));
  });

  it('refuses a used token, from any process and any login', async () => {
    // admin2 replays admin's signed file (admin's public key) to take it as their own: refused everywhere.
    const replay = await register('admin.pub', 'open-reg.json', ADMIN2);
    assert.deepEqual(
      [replay.exitCode, JSON.parse(replay.stdout)],
      [
        1,
        {
          error_code: 1,
          data: 'The signed token file holds no unused registration token issued by this HSM (each is single-use and expires); generate one with quorum token-sign generate --service registration',
        },
      ],
    );
    assert.deepEqual(quorumKeys('admin2'), new Array(3).fill(pem('admin2.pub')));
  });

  it('refuses an expired token (the generated timeout, on the HSMs clock)', async () => {
    assert.equal((await generate('late.json', ADMIN2)).exitCode, 0);
    opensslSign(dir, file('late.json'), 'intruder.key');
    cluster.clock.advance(601);
    const late = await register('intruder.pub', 'late.json', ADMIN2);
    assert.deepEqual(JSON.parse(late.stdout), {
      error_code: 1,
      data: 'The quorum token has expired (generated timeout of 600 seconds); generate a new one with quorum token-sign generate',
    });
    assert.deepEqual(quorumKeys('admin2'), new Array(3).fill(pem('admin2.pub')));
  });

  it('refuses a signature made with another key than the one registered', async () => {
    assert.equal((await generate('forged.json', ADMIN2)).exitCode, 0);
    opensslSign(dir, file('forged.json'), 'intruder.key');
    const forged = await register('admin.pub', 'forged.json', ADMIN2);
    assert.deepEqual(JSON.parse(forged.stdout), {
      error_code: 1,
      data: 'The registration token signature does not verify with the given public key',
    });
    assert.deepEqual(quorumKeys('admin2'), new Array(3).fill(pem('admin2.pub')));
  });

  it("refuses another cluster's token", async () => {
    const foreign = await cloudhsmCli(other.dir, [
      'quorum',
      'token-sign',
      'generate',
      '--service',
      'registration',
      '--token',
      file('foreign.json'),
    ]);
    assert.equal(foreign.exitCode, 0, foreign.stdout);
    assert.equal(JSON.parse(fs.readFileSync(file('foreign.json'), 'utf8')).tokens.length, 1);
    opensslSign(dir, file('foreign.json'), 'intruder.key');
    const refused = await register('intruder.pub', 'foreign.json', ADMIN2);
    assert.equal(refused.exitCode, 1);
    assert.match(
      JSON.parse(refused.stdout).data,
      /^The signed token file holds no unused registration token/,
    );
    assert.deepEqual(quorumKeys('admin2'), new Array(3).fill(pem('admin2.pub')));
  });
});
