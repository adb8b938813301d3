// Issue 14 item 6: the guide's other spellings (optional-value flags, hidden aliases, -V) reach the same commands.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CLI_VERSION } from '../../src/cli/registry.js';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { ROOT } from '../helpers/processes.js';

describe('documented spellings of cloudhsm-cli', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
    const made = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'bob',
      '--role',
      'crypto-user',
      '--password',
      'bob-pass-1',
    ]);
    assert.equal(made.json?.error_code, 0);
  });
  after(() => cluster.close());
  const asAdmin = (args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);

  it('logout -V and --version print the version (the package version)', async () => {
    const pkg = JSON.parse(fs.readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
    assert.equal(CLI_VERSION, pkg.version);
    for (const flag of ['-V', '--version'])
      assert.deepEqual(await cluster.cli(['logout', flag]).then((r) => [r.exitCode, r.stdout]), [
        0,
        `cloudhsm-cli ${CLI_VERSION}\n`,
      ]);
    assert.equal((await cluster.cli(['user', 'list', '--version'])).exitCode, 2);
  });

  for (const spelling of [[], ['true'], ['false']]) {
    it(`user change-password accepts --deregister-mfa ${spelling.join('') || '(bare)'} and --deregister-quorum`, async () => {
      const run = await asAdmin([
        'user',
        'change-password',
        '--username',
        'bob',
        '--role',
        'crypto-user',
        '--password',
        'bob-pass-2',
        '--deregister-mfa',
        ...spelling,
        '--deregister-quorum',
        ...spelling,
      ]);
      assert.deepEqual(run.json, { error_code: 0, data: { username: 'bob', role: 'crypto-user' } });
    });
  }

  it('user change-mfa token-sign --disable does what --deregister does', async () => {
    const args = (flag: string) => [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      'bob',
      '--role',
      'crypto-user',
      flag,
    ];
    const disable = await asAdmin(args('--disable'));
    const deregister = await asAdmin(args('--deregister'));
    assert.notEqual(disable.exitCode, 2, disable.stderr);
    assert.deepEqual(disable.json, deregister.json);
  });

  it('user change-quorum token-sign activate is register (hidden from help)', async () => {
    const help = await cluster.cli(['user', 'change-quorum', 'token-sign', 'activate', '--help']);
    assert.equal(help.exitCode, 0);
    assert.match(help.stdout, /^Register a user for quorum authentication with a public key\n/);
    const group = await cluster.cli(['user', 'change-quorum', 'token-sign', '--help']);
    assert.doesNotMatch(group.stdout, /activate/);
    const missing = await asAdmin(['user', 'change-quorum', 'token-sign', 'activate']);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /--public-key <PUBLIC_KEY>/);
  });
});
