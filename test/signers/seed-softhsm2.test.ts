// The founding rotation (seeds/000) with the new MFA key held only in SoftHSM2: its public key exported with
// `localhsm token pubkey`, the unsigned file signed with `localhsm token sign --pkcs11-*`, the prompts
// answered in the shell; then logins signed from the token. Also: the cloudhsm-cli signer options stop a
// wrong PIN and a wrong external signer before any HSM sees a signature.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SHELL_PROMPT } from '../../src/cli/shell.js';
import { toSpkiPem } from '../../src/tokens/token-sign.js';
import { ADMIN_PASSWORD, type TestCluster, startActivatedCluster } from '../helpers/cluster.js';
import { dialog, type Step } from '../helpers/dialog.js';
import { testKeyPair } from '../helpers/keys.js';
import { runLocalhsm } from '../helpers/localhsm.js';
import { type SoftHsm, createSoftHsm } from '../helpers/softhsm.js';

const USERNAME = 'mfa_user';
const OLD_PW = 'user-pass-1';
const NEW_PW = 'user-pass-2';
const PIN = 'officer-pin-1';
const TOKEN = 'officer1';
const SIGNED_PROMPT = 'Enter signed token file path (press enter if same as the unsigned token file):';
const PUBKEY_PROMPT = 'Enter public key PEM file path:';
const OK = { error_code: 0, data: { username: USERNAME, role: 'crypto-user' } };

describe('seed 000 with the new MFA key only in SoftHSM2', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let hsm: SoftHsm;
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const pkcs11 = ['--pkcs11-module', '', '--pkcs11-token', TOKEN, '--key-label', USERNAME];
  const registered = () => cluster.nodes.map((n) => n!.node.store.getUser(USERNAME)!);
  const auditOf = (i: number) => cluster.nodes[i]!.node.store.listAudit();
  const envelopes = (stdout: string) =>
    stdout
      .split(/(?<=^\})\n/m)
      .filter(Boolean)
      .map((e) => JSON.parse(e));

  before(async () => {
    hsm = createSoftHsm();
    dir = hsm.dir;
    pkcs11[1] = hsm.module;
    hsm.initToken(TOKEN, PIN);
    // The new key pair is generated on the token: its private half never exists anywhere else.
    await hsm.generateKey(TOKEN, PIN, { label: USERNAME });
    fs.writeFileSync(file('pin'), `${PIN}\n`, { mode: 0o600 });
    fs.writeFileSync(file('wrong-pin'), 'officer-pin-0\n', { mode: 0o600 });
    for (const name of ['seed-old', 'seed-other', 'seed-kms']) {
      fs.writeFileSync(file(`${name}.key`), testKeyPair(name).privatePem, { mode: 0o600 });
      fs.writeFileSync(file(`${name}.pub`), testKeyPair(name).publicPem);
    }
    cluster = await startActivatedCluster();
    const created = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      USERNAME,
      '--role',
      'crypto-user',
      '--password',
      OLD_PW,
    ]);
    assert.equal(created.json?.error_code, 0);
    const enabled = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      USERNAME,
      '--role',
      'crypto-user',
      '--token',
      file('enable.json'),
      '--change-password',
      OLD_PW,
      '--sign-with',
      file('seed-old.key'),
    ]);
    assert.deepEqual(enabled.json, OK);
  });
  after(async () => {
    await cluster?.close();
    hsm?.close();
  });

  it('rotates to the SoftHSM2 key with the seed dialogue; logins are then signed from the token', async () => {
    const exported = await runLocalhsm([
      'token',
      'pubkey',
      ...pkcs11,
      '--pin-file',
      file('pin'),
      '--out',
      file('officer1.pub'),
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    const tokenPem = fs.readFileSync(file('officer1.pub'), 'utf8');

    let signRun: Awaited<ReturnType<typeof runLocalhsm>> | undefined;
    let loginSignRun: Awaited<ReturnType<typeof runLocalhsm>> | undefined;
    const steps: Step[] = [
      // 1. Log in with the current (old) key.
      {
        prompt: SHELL_PROMPT,
        answer: `login --username ${USERNAME} --role crypto-user mfa-token-sign --token ${file('login.json')} --sign-with ${file('seed-old.key')}`,
      },
      { prompt: 'Enter password:', answer: OLD_PW },
      // 2. The seed's command, word for word.
      {
        prompt: SHELL_PROMPT,
        answer: `user change-mfa token-sign --token ${file('unsigned-tokens.json')} --username ${USERNAME} --role crypto-user --change-quorum`,
      },
      { prompt: 'Enter password:', answer: NEW_PW },
      { prompt: 'Confirm password:', answer: NEW_PW },
      // 3-7. Instead of the openssl steps: one command, the key on the token.
      {
        prompt: SIGNED_PROMPT,
        answer: async () => {
          signRun = await runLocalhsm([
            'token',
            'sign',
            '--token',
            file('unsigned-tokens.json'),
            ...pkcs11,
            '--pin-file',
            file('pin'),
          ]);
          return '';
        },
      },
      { prompt: PUBKEY_PROMPT, answer: file('officer1.pub') },
      { prompt: SHELL_PROMPT, answer: 'user list' },
      { prompt: SHELL_PROMPT, answer: 'logout' },
      // The old key no longer works.
      {
        prompt: SHELL_PROMPT,
        answer: `login --username ${USERNAME} --role crypto-user mfa-token-sign --token ${file('login2.json')} --sign-with ${file('seed-old.key')}`,
      },
      { prompt: 'Enter password:', answer: NEW_PW },
      // The cloudhsm-cli way: sign the written file from the token, press Enter.
      {
        prompt: SHELL_PROMPT,
        answer: `login --username ${USERNAME} --role crypto-user mfa-token-sign --token ${file('login3.json')}`,
      },
      { prompt: 'Enter password:', answer: NEW_PW },
      {
        prompt: SIGNED_PROMPT,
        answer: async () => {
          loginSignRun = await runLocalhsm([
            'token',
            'sign',
            '--token',
            file('login3.json'),
            ...pkcs11,
            '--pin-file',
            file('pin'),
          ]);
          return '';
        },
      },
      { prompt: SHELL_PROMPT, answer: 'logout' },
      // LocalHSM's extension: the CLI signs from the token itself, asking for the PIN (hidden) after the password.
      {
        prompt: SHELL_PROMPT,
        answer: `login --username ${USERNAME} --role crypto-user mfa-token-sign --token ${file('login4.json')} ${pkcs11.join(' ')}`,
      },
      { prompt: 'Enter password:', answer: NEW_PW },
      { prompt: `Enter PIN for token ${TOKEN}:`, answer: PIN },
      { prompt: SHELL_PROMPT, answer: 'quit' },
    ];
    const run = await dialog(cluster.dir, ['interactive'], steps);
    assert.equal(run.exitCode, 0, run.stderr);
    const [login1, change, list, logout1, oldKey, login3, logout3, login4] = envelopes(run.stdout);

    assert.deepEqual(login1, OK);
    assert.deepEqual(
      [signRun?.code, signRun?.stdout],
      [0, `Signed 3 MFA token(s) into ${file('unsigned-tokens.json')}\n`],
    );
    assert.deepEqual(change, OK);
    assert.deepEqual(
      list.data.users.find((u: { username: string }) => u.username === USERNAME),
      {
        username: USERNAME,
        role: 'crypto-user',
        locked: 'false',
        mfa: [{ strategy: 'token-sign', status: 'enabled' }],
        quorum: [{ strategy: 'token-sign', status: 'enabled' }],
        'cluster-coverage': 'full',
      },
    );
    // Every HSM holds the token's public key for MFA and (--change-quorum) for quorum.
    for (const user of registered()) {
      assert.equal(user.mfaPublicKey, tokenPem);
      assert.equal(user.quorumPublicKey, tokenPem);
    }
    assert.deepEqual(logout1, { error_code: 0, data: 'Logout successful' });
    assert.equal(oldKey.error_code, 1);
    assert.match(
      oldKey.data,
      /^Token 1 of 3 \(unsigned \S+\) failed verification on HSM at 127\.0\.0\.1:\d+: The signature does not verify with the registered MFA public key$/,
    );
    assert.equal(loginSignRun?.code, 0, loginSignRun?.stderr);
    assert.deepEqual(login3, OK);
    assert.deepEqual(logout3, { error_code: 0, data: 'Logout successful' });
    assert.deepEqual(login4, OK);
  });

  it('stops a wrong PIN for a --pkcs11-module rotation before any HSM is asked for a token', async () => {
    const before = cluster.nodes.map((_, i) => auditOf(i).length);
    const run = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      USERNAME,
      '--role',
      'crypto-user',
      '--token',
      file('pin-tokens.json'),
      '--change-password',
      NEW_PW,
      ...pkcs11,
      '--pin-file',
      file('wrong-pin'),
    ]);
    assert.deepEqual(run.json, { error_code: 1, data: `PIN incorrect for token ${TOKEN}` });
    assert.equal(fs.existsSync(file('pin-tokens.json')), false);
    // Only the single-command login of the admin reached the HSMs.
    cluster.nodes.forEach((_, i) => {
      assert.deepEqual(
        auditOf(i)
          .slice(before[i])
          .map((e) => e.operation),
        ['login'],
      );
    });
  });

  it('catches an external signer that returns a wrong signature before any HSM sees it', async () => {
    const tokenPem = fs.readFileSync(file('officer1.pub'), 'utf8');
    const before = cluster.nodes.map((_, i) => auditOf(i).length);
    // The "KMS" signs with another key than the one whose public key is given (and would be registered).
    const run = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      USERNAME,
      '--role',
      'crypto-user',
      '--token',
      file('cmd-tokens.json'),
      '--change-password',
      NEW_PW,
      '--change-quorum',
      '--sign-command',
      `openssl pkeyutl -sign -inkey ${file('seed-other.key')} -pkeyopt digest:sha256`,
      '--public-key',
      file('seed-kms.pub'),
    ]);
    assert.equal(run.json?.error_code, 1);
    assert.match(
      run.json?.data,
      /^The signature made by the --sign-command for token 1 of 3 \(unsigned \S+\) does not verify with its public key SHA256:[0-9a-f]{16}; nothing was written or sent$/,
    );
    assert.equal(fs.existsSync(file('cmd-tokens.json')), false, 'no token file written');
    cluster.nodes.forEach((_, i) => {
      // Tokens were issued (change-mfa-start), but no signature was ever sent for verification.
      assert.deepEqual(
        auditOf(i)
          .slice(before[i])
          .map((e) => [e.operation, e.result]),
        [
          ['login', 'ok'],
          ['change-mfa-start', 'ok'],
        ],
      );
    });
    for (const user of registered()) assert.equal(user.mfaPublicKey, tokenPem);

    // The right external signer rotates the key in one command.
    const good = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      USERNAME,
      '--role',
      'crypto-user',
      '--token',
      file('cmd-tokens.json'),
      '--change-password',
      NEW_PW,
      '--change-quorum',
      '--sign-command',
      `openssl pkeyutl -sign -inkey ${file('seed-kms.key')} -pkeyopt digest:sha256`,
      '--public-key',
      file('seed-kms.pub'),
    ]);
    assert.deepEqual(good.json, OK);
    for (const user of registered())
      assert.equal(user.mfaPublicKey, toSpkiPem(testKeyPair('seed-kms').publicKey));
  });
});
