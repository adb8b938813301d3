// MFA token-sign through cloudhsm-cli on an in-process 3-HSM cluster: change-mfa (register, rotate,
// deregister), login mfa-token-sign, the token file checks, and --sign-with.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SHELL_PROMPT } from '../../src/cli/shell.js';
import { signToken } from '../../src/tokens/token-sign.js';
import { ADMIN_PASSWORD, startActivatedCluster, tempDir, type TestCluster } from '../helpers/cluster.js';
import { dialog, type Step } from '../helpers/dialog.js';
import { testKeyPair } from '../helpers/keys.js';
import { runLocalhsm } from '../helpers/localhsm.js';

const SIGNED_PROMPT = 'Enter signed token file path (press enter if same as the unsigned token file):';
const PUBKEY_PROMPT = 'Enter public key PEM file path:';
const ALICE_PW = 'alice-pass-1';

interface TokenDoc {
  version: string;
  tokens: { unsigned: string; signed: string }[];
}

describe('MFA token-sign through cloudhsm-cli', () => {
  let cluster: TestCluster;
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const readTokens = (name: string): TokenDoc => JSON.parse(fs.readFileSync(file(name), 'utf8'));
  const writeTokens = (name: string, doc: TokenDoc) =>
    fs.writeFileSync(file(name), JSON.stringify(doc, null, 2));
  const signWith = (keyName: string, doc: TokenDoc): TokenDoc => ({
    ...doc,
    tokens: doc.tokens.map((t) => ({
      ...t,
      signed: signToken(testKeyPair(keyName).privateKey, Buffer.from(t.unsigned, 'base64')).toString(
        'base64',
      ),
    })),
  });
  const addresses = () => cluster.manifest.hsms.map((h) => `${h.host}:${h.port}`);
  const aliceRow = async () =>
    (await cluster.cli(['user', 'list'])).json!.data.users.find(
      (u: { username: string }) => u.username === 'alice',
    );
  const registeredKeys = () => cluster.nodes.map((n) => n!.node.store.getUser('alice')!.mfaPublicKey);

  /** `login ... mfa-token-sign` in a shell, the signed file produced by `prepare` once the tokens are written; then `logout`. */
  async function mfaLogin(prepare: () => string | Promise<string>, password = ALICE_PW) {
    const steps: Step[] = [
      {
        prompt: SHELL_PROMPT,
        answer: `login --username alice --role crypto-user mfa-token-sign --token ${file('login.json')}`,
      },
      { prompt: 'Enter password:', answer: password },
      { prompt: SIGNED_PROMPT, answer: prepare },
      { prompt: SHELL_PROMPT, answer: 'logout' },
    ];
    const run = await dialog(cluster.dir, ['interactive'], steps);
    const envelopes = run.stdout
      .split(/(?<=^\})\n/m)
      .filter(Boolean)
      .map((e) => JSON.parse(e));
    return { run, login: envelopes[0], logout: envelopes[1] };
  }

  before(async () => {
    cluster = await startActivatedCluster();
    dir = tempDir('localhsm-mfa-cli-');
    for (const name of ['k1', 'k2', 'k3']) {
      fs.writeFileSync(file(`${name}.key`), testKeyPair(name).privatePem, { mode: 0o600 });
      fs.writeFileSync(file(`${name}.pub`), testKeyPair(name).publicPem);
    }
    const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    fs.writeFileSync(file('small.key'), small.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(file('small.pub'), small.publicKey.export({ type: 'spki', format: 'pem' }));
    const created = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      ALICE_PW,
    ]);
    assert.equal(created.json?.error_code, 0);
    await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'create',
      '--username',
      'bob',
      '--role',
      'crypto-user',
      '--password',
      'bob-pass-1',
    ]);
  });
  after(async () => {
    await cluster.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the change-mfa group and marks --sign-with as a LocalHSM extension in help', async () => {
    const group = await cluster.cli(['user', 'change-mfa', '--help']);
    assert.match(
      group.stdout,
      /^Change a user's Mfa Strategy\n\nUsage: cloudhsm-cli user change-mfa <COMMAND>\n\nCommands:\n  token-sign  Register or Deregister a public key using token-sign mfa strategy\n/,
    );
    const help = await cluster.cli(['user', 'change-mfa', 'token-sign', '--help']);
    assert.match(
      help.stdout,
      /Usage: cloudhsm-cli user change-mfa token-sign \[OPTIONS\] --username <USERNAME> --role <ROLE> <--token <TOKEN>\|--deregister>/,
    );
    assert.match(
      help.stdout,
      /--sign-with <PRIVATE_KEY>\n\s+\[LocalHSM extension\] Sign the tokens in-process/,
    );
    const parent = await cluster.cli(['login', '--help']);
    assert.match(
      parent.stdout,
      /Usage: cloudhsm-cli login \[OPTIONS\] --username <USERNAME> --role <ROLE> \[COMMAND\]\n\nCommands:\n  mfa-token-sign  Login with token-sign mfa\n\nOptions:/,
    );
    const login = await cluster.cli(['login', 'mfa-token-sign', '--help']);
    assert.match(login.stdout, /^Login with token-sign mfa\n/);
    assert.match(login.stdout, /--token <TOKEN>\n\s+Filepath where the unsigned token file will be written/);
    const both = await cluster.cli([
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      'a',
      '--role',
      'admin',
      '--token',
      't',
      '--deregister',
    ]);
    assert.equal(both.exitCode, 2);
    assert.match(both.stderr, /^error: the argument '--token' cannot be used with '--deregister'/);
  });

  it('registers MFA for another user as admin: prompts in order, 0600 token file, proof of possession, quorum too', async () => {
    let written: TokenDoc | undefined;
    const run = await dialog(
      cluster.dir,
      [
        'user',
        'change-mfa',
        'token-sign',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        '--token',
        file('enable.json'),
      ],
      [
        { prompt: 'Enter password:', answer: ALICE_PW },
        { prompt: 'Confirm password:', answer: ALICE_PW },
        {
          prompt: SIGNED_PROMPT,
          answer: async () => {
            written = readTokens('enable.json');
            assert.equal(fs.statSync(file('enable.json')).mode & 0o777, 0o600);
            const sign = await runLocalhsm([
              'token',
              'sign',
              '--token',
              file('enable.json'),
              '--private-key',
              file('k1.key'),
            ]);
            assert.equal(sign.code, 0, sign.stderr);
            return '';
          },
        },
        { prompt: PUBKEY_PROMPT, answer: file('k1.pub') },
      ],
      { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` },
    );
    assert.deepEqual(
      run.json,
      { error_code: 0, data: { username: 'alice', role: 'crypto-user' } },
      run.stderr,
    );
    assert.equal(run.stderr, `Enter password:\nConfirm password:\n${SIGNED_PROMPT}\n${PUBKEY_PROMPT}\n`);
    assert.equal(written!.version, '2.0');
    assert.equal(written!.tokens.length, 3);
    assert.ok(
      written!.tokens.every((t) => t.signed === '' && Buffer.from(t.unsigned, 'base64').length === 32),
    );
    assert.equal(new Set(written!.tokens.map((t) => t.unsigned)).size, 3);
    assert.deepEqual(await aliceRow(), {
      username: 'alice',
      role: 'crypto-user',
      locked: 'false',
      mfa: [{ strategy: 'token-sign', status: 'enabled' }],
      quorum: [{ strategy: 'token-sign', status: 'enabled' }],
      'cluster-coverage': 'full',
    });
  });

  it('refuses a plain login of an MFA user with a pointer to mfa-token-sign', async () => {
    const run = await cluster.cli([
      'login',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      ALICE_PW,
    ]);
    assert.deepEqual(run.json, {
      error_code: 1,
      data: 'User alice has MFA enabled; log in with: login --username alice --role crypto-user mfa-token-sign --token <TOKEN>',
    });
  });

  it('logs in with a signed file whose tokens were reordered, given at the prompt', async () => {
    const { run, login, logout } = await mfaLogin(() => {
      const doc = signWith('k1', readTokens('login.json'));
      writeTokens('login-signed.json', { ...doc, tokens: [...doc.tokens].reverse() });
      return file('login-signed.json');
    });
    assert.deepEqual(login, { error_code: 0, data: { username: 'alice', role: 'crypto-user' } }, run.stderr);
    assert.deepEqual(logout, { error_code: 0, data: 'Logout successful' });
  });

  it('refuses a signed token file used a second time, and logs in nowhere', async () => {
    const { login, logout } = await mfaLogin(() => file('login-signed.json'));
    const stale = JSON.parse(fs.readFileSync(file('login-signed.json'), 'utf8')) as TokenDoc;
    assert.deepEqual(login, {
      error_code: 1,
      data: `Token 1 of 3 (unsigned ${stale.tokens[0]!.unsigned}) in ${file('login-signed.json')} was not issued for this operation; tokens are single-use, sign the file this command wrote`,
    });
    assert.deepEqual(logout, { error_code: 1, data: 'You must be logged in to perform this operation' });
  });

  it("refuses signatures swapped between two HSMs' tokens, naming the first failing token, and logs in nowhere", async () => {
    let doc: TokenDoc | undefined;
    const { run, login, logout } = await mfaLogin(() => {
      doc = signWith('k1', readTokens('login.json'));
      const [a, b] = [doc.tokens[0]!.signed, doc.tokens[1]!.signed];
      doc.tokens[0]!.signed = b;
      doc.tokens[1]!.signed = a;
      writeTokens('login.json', doc);
      return '';
    });
    const reason = 'The signature does not verify with the registered MFA public key';
    assert.deepEqual(login, {
      error_code: 1,
      data: `Token 1 of 3 (unsigned ${doc!.tokens[0]!.unsigned}) failed verification on HSM at ${addresses()[0]}: ${reason}`,
    });
    assert.match(
      run.stderr,
      new RegExp(
        `warning: Token 2 of 3 \\(unsigned ${escape(doc!.tokens[1]!.unsigned)}\\) failed verification on HSM at ${escape(addresses()[1]!)}: ${reason}\n`,
      ),
    );
    assert.deepEqual(logout, { error_code: 1, data: 'You must be logged in to perform this operation' });
  });

  it('refuses a signature made with sha256 re-hashing (crypto.sign), naming the token', async () => {
    let doc: TokenDoc | undefined;
    const { login, logout } = await mfaLogin(() => {
      doc = signWith('k1', readTokens('login.json'));
      const t = doc.tokens[2]!;
      t.signed = crypto
        .sign('sha256', Buffer.from(t.unsigned, 'base64'), testKeyPair('k1').privateKey)
        .toString('base64');
      writeTokens('login.json', doc);
      return '';
    });
    assert.deepEqual(login, {
      error_code: 1,
      data: `Token 3 of 3 (unsigned ${doc!.tokens[2]!.unsigned}) failed verification on HSM at ${addresses()[2]}: The signature does not verify with the registered MFA public key`,
    });
    assert.equal(logout.error_code, 1);
  });

  it('refuses missing, unsigned and malformed entries before asking any HSM', async () => {
    const cases: [string, (doc: TokenDoc) => TokenDoc, (doc: TokenDoc) => string][] = [
      [
        'missing',
        (d) => ({ ...d, tokens: d.tokens.slice(0, 2) }),
        (d) =>
          `The token of HSM at ${addresses()[2]} (unsigned ${d.tokens[2]!.unsigned}) is missing from ${file('login.json')}`,
      ],
      [
        'unsigned',
        (d) => ({ ...d, tokens: d.tokens.map((t, i) => (i === 1 ? { ...t, signed: '' } : t)) }),
        (d) => `Token 2 of 3 (unsigned ${d.tokens[1]!.unsigned}) in ${file('login.json')} is not signed`,
      ],
      [
        'wrapped',
        (d) => ({
          ...d,
          tokens: d.tokens.map((t, i) =>
            i === 0 ? { ...t, signed: t.signed.replace(/(.{76})/g, '$1\n') } : t,
          ),
        }),
        (d) =>
          `Token 1 of 3 (unsigned ${d.tokens[0]!.unsigned}) in ${file('login.json')}: "signed" is not base64 (one line, as base64 -w0 prints it) of a 256-byte RSA-2048 signature`,
      ],
    ];
    for (const [name, spoil, message] of cases) {
      let doc: TokenDoc | undefined;
      const { login, logout } = await mfaLogin(() => {
        doc = signWith('k1', readTokens('login.json'));
        writeTokens('login.json', spoil(doc));
        return '';
      });
      assert.deepEqual(login, { error_code: 1, data: message(doc!) }, name);
      assert.equal(logout.error_code, 1, name);
    }
    const { login } = await mfaLogin(() => {
      fs.writeFileSync(file('login.json'), '{"version": "2.0", "tokens": [');
      return '';
    });
    assert.deepEqual(login, {
      error_code: 1,
      data: `Invalid token file ${file('login.json')}: it is not JSON`,
    });
  });

  it('refuses tokens signed after they expired (600 s by default)', async () => {
    let doc: TokenDoc | undefined;
    const { login } = await mfaLogin(() => {
      doc = signWith('k1', readTokens('login.json'));
      writeTokens('login.json', doc);
      cluster.clock.advance(600);
      return '';
    });
    assert.deepEqual(login, {
      error_code: 1,
      data: `Token 1 of 3 (unsigned ${doc!.tokens[0]!.unsigned}) failed verification on HSM at ${addresses()[0]}: The token expired (600 seconds after it was issued); run the command again for new tokens`,
    });
  });

  it('counts a wrong password at mfa login like at login', async () => {
    const run = await cluster.cli([
      'login',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      'mfa-token-sign',
      '--token',
      file('x.json'),
      '--password',
      'wrong-pass-1',
    ]);
    assert.deepEqual(run.json, { error_code: 1, data: 'Incorrect authentication credentials' });
    assert.equal(fs.existsSync(file('x.json')), false, 'no token file without a password');
    assert.ok(cluster.nodes.every((n) => n!.node.store.getUser('alice')!.failedLogins === 1));
  });

  it('logs in with --sign-with in one command: only the password prompt, and resets the failure count', async () => {
    const run = await dialog(
      cluster.dir,
      [
        'login',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        'mfa-token-sign',
        '--token',
        file('auto.json'),
        '--sign-with',
        file('k1.key'),
      ],
      [{ prompt: 'Enter password:', answer: ALICE_PW }],
    );
    assert.deepEqual(
      run.json,
      { error_code: 0, data: { username: 'alice', role: 'crypto-user' } },
      run.stderr,
    );
    assert.equal(run.stderr, 'Enter password:\n');
    const written = readTokens('auto.json');
    assert.equal(written.tokens.length, 3);
    assert.ok(written.tokens.every((t) => t.signed.length === 344));
    assert.ok(cluster.nodes.every((n) => n!.node.store.getUser('alice')!.failedLogins === 0));
  });

  it('asks for the pass phrase of an encrypted --sign-with key, hidden, after the password', async () => {
    const encrypted = testKeyPair('k1').privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pp-secret-1',
    });
    fs.writeFileSync(file('k1-enc.key'), encrypted, { mode: 0o600 });
    const args = [
      'login',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      'mfa-token-sign',
      '--token',
      file('enc.json'),
      '--sign-with',
      file('k1-enc.key'),
    ];
    const passPrompt = `Enter pass phrase for ${file('k1-enc.key')}:`;
    const wrong = await dialog(cluster.dir, args, [
      { prompt: 'Enter password:', answer: ALICE_PW },
      { prompt: passPrompt, answer: 'not-the-phrase' },
    ]);
    assert.deepEqual(wrong.json, {
      error_code: 1,
      data: `Cannot use the private key ${file('k1-enc.key')}: the passphrase does not decrypt it`,
    });
    const run = await dialog(cluster.dir, args, [
      { prompt: 'Enter password:', answer: ALICE_PW },
      { prompt: passPrompt, answer: 'pp-secret-1' },
    ]);
    assert.deepEqual(
      run.json,
      { error_code: 0, data: { username: 'alice', role: 'crypto-user' } },
      run.stderr,
    );
    assert.equal(run.stderr, `Enter password:\n${passPrompt}\n`);
  });

  it('refuses to log in with another key', async () => {
    const run = await cluster.cli([
      'login',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      ALICE_PW,
      'mfa-token-sign',
      '--token',
      file('auto.json'),
      '--sign-with',
      file('k2.key'),
    ]);
    assert.equal(run.json?.error_code, 1);
    assert.match(
      run.json!.data,
      /^Token 1 of 3 \(unsigned \S+\) failed verification on HSM at \S+: The signature does not verify with the registered MFA public key$/,
    );
  });

  it('leaves every HSM unchanged when one HSM refuses the proof of possession', async () => {
    const before = registeredKeys();
    let doc: TokenDoc | undefined;
    const run = await dialog(
      cluster.dir,
      [
        'user',
        'change-mfa',
        'token-sign',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        '--token',
        file('rotate.json'),
        '--change-password',
        'alice-pass-2',
      ],
      [
        {
          prompt: SIGNED_PROMPT,
          answer: () => {
            doc = signWith('k2', readTokens('rotate.json'));
            doc.tokens[2]!.signed = signWith('k1', readTokens('rotate.json')).tokens[2]!.signed; // the old key for HSM 3
            writeTokens('rotate.json', doc);
            return '';
          },
        },
        { prompt: PUBKEY_PROMPT, answer: file('k2.pub') },
      ],
      { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` },
    );
    assert.deepEqual(run.json, {
      error_code: 1,
      data: `Token 3 of 3 (unsigned ${doc!.tokens[2]!.unsigned}) failed verification on HSM at ${addresses()[2]}: The signature does not verify with the new public key`,
    });
    assert.deepEqual(registeredKeys(), before);
    assert.equal(before[0], testKeyPair('k1').publicPem);
  });

  it('accepts only RSA 2048-bit public keys, with a clear error, changing nothing', async () => {
    const run = await dialog(
      cluster.dir,
      [
        'user',
        'change-mfa',
        'token-sign',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        '--token',
        file('rotate.json'),
        '--change-password',
        'alice-pass-2',
      ],
      [
        {
          prompt: SIGNED_PROMPT,
          answer: () => (writeTokens('rotate.json', signWith('k2', readTokens('rotate.json'))), ''),
        },
        { prompt: PUBKEY_PROMPT, answer: file('small.pub') },
      ],
      { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` },
    );
    assert.deepEqual(run.json, {
      error_code: 1,
      data: 'Invalid public key: it is RSA 1024-bit; an RSA 2048-bit key is required',
    });
    const signWithSmall = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--token',
      file('rotate.json'),
      '--change-password',
      'alice-pass-2',
      '--sign-with',
      file('small.key'),
    ]);
    assert.deepEqual(signWithSmall.json, {
      error_code: 1,
      data: 'Invalid public key: it is RSA 1024-bit; an RSA 2048-bit key is required',
    });
    assert.equal(registeredKeys()[0], testKeyPair('k1').publicPem);
  });

  it("refuses a crypto user changing another user's MFA", async () => {
    const run = await cluster.as('crypto-user', 'bob', 'bob-pass-1', [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--token',
      file('bob.json'),
      '--change-password',
      'alice-pass-2',
      '--sign-with',
      file('k3.key'),
    ]);
    assert.deepEqual(run.json, {
      error_code: 1,
      data: "Permission denied: the crypto-user role cannot change another user's MFA",
    });
  });

  it('refuses to change MFA while an HSM is down, changing no HSM', async () => {
    await cluster.stopNode(2);
    try {
      const run = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
        'user',
        'change-mfa',
        'token-sign',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        '--token',
        file('down.json'),
        '--change-password',
        'alice-pass-2',
        '--sign-with',
        file('k3.key'),
      ]);
      assert.deepEqual(run.json, { error_code: 1, data: 'User change MFA failed on 1 of 3 connections' });
      assert.match(run.stderr, /^warning: HSM at \S+ did not answer/m);
    } finally {
      await cluster.startNode(2);
    }
    assert.equal(registeredKeys()[0], testKeyPair('k1').publicPem);
  });

  it('rotates its own key in one shell: log in with the old key, change-mfa --sign-with --change-quorum, old key refused, new key works', async () => {
    const steps: Step[] = [
      {
        prompt: SHELL_PROMPT,
        answer: `login --username alice --role crypto-user mfa-token-sign --token ${file('a.json')} --sign-with ${file('k1.key')}`,
      },
      { prompt: 'Enter password:', answer: ALICE_PW },
      {
        prompt: SHELL_PROMPT,
        answer: `user change-mfa token-sign --username alice --role crypto-user --token ${file('b.json')} --change-quorum --sign-with ${file('k2.key')}`,
      },
      { prompt: 'Enter password:', answer: 'alice-pass-2' },
      { prompt: 'Confirm password:', answer: 'alice-pass-2' },
      { prompt: SHELL_PROMPT, answer: 'logout' },
      {
        prompt: SHELL_PROMPT,
        answer: `login --username alice --role crypto-user mfa-token-sign --token ${file('c.json')} --sign-with ${file('k1.key')}`,
      },
      { prompt: 'Enter password:', answer: 'alice-pass-2' },
      {
        prompt: SHELL_PROMPT,
        answer: `login --username alice --role crypto-user mfa-token-sign --token ${file('c.json')} --sign-with ${file('k2.key')}`,
      },
      { prompt: 'Enter password:', answer: 'alice-pass-2' },
    ];
    const run = await dialog(cluster.dir, ['interactive'], steps);
    const envelopes = run.stdout
      .split(/(?<=^\})\n/m)
      .filter(Boolean)
      .map((e) => JSON.parse(e));
    assert.equal(envelopes.length, 5, run.stdout + run.stderr);
    assert.deepEqual(envelopes[0], { error_code: 0, data: { username: 'alice', role: 'crypto-user' } });
    assert.deepEqual(envelopes[1], { error_code: 0, data: { username: 'alice', role: 'crypto-user' } });
    assert.deepEqual(envelopes[2], { error_code: 0, data: 'Logout successful' });
    assert.equal(envelopes[3].error_code, 1);
    assert.match(
      envelopes[3].data,
      /failed verification on HSM at .*: The signature does not verify with the registered MFA public key$/,
    );
    assert.deepEqual(envelopes[4], { error_code: 0, data: { username: 'alice', role: 'crypto-user' } });
    for (const n of cluster.nodes) {
      const alice = n!.node.store.getUser('alice')!;
      assert.equal(alice.mfaPublicKey, testKeyPair('k2').publicPem);
      assert.equal(alice.quorumPublicKey, testKeyPair('k2').publicPem);
    }
  });

  it('logs in with an HSM down, with a warning and one token fewer', async () => {
    await cluster.stopNode(1);
    try {
      const run = await cluster.cli([
        'login',
        '--username',
        'alice',
        '--role',
        'crypto-user',
        '--password',
        'alice-pass-2',
        'mfa-token-sign',
        '--token',
        file('two.json'),
        '--sign-with',
        file('k2.key'),
      ]);
      assert.deepEqual(run.json, { error_code: 0, data: { username: 'alice', role: 'crypto-user' } });
      assert.match(run.stderr, new RegExp(`^warning: HSM at ${escape(addresses()[1]!)} did not answer`, 'm'));
      assert.equal(readTokens('two.json').tokens.length, 2);
    } finally {
      await cluster.startNode(1);
    }
  });

  it('deregisters MFA and the quorum key as admin, with the new password', async () => {
    const run = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      'user',
      'change-mfa',
      'token-sign',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--deregister',
      '--change-quorum',
      '--change-password',
      'alice-pass-3',
    ]);
    assert.deepEqual(run.json, { error_code: 0, data: { username: 'alice', role: 'crypto-user' } });
    const row = await aliceRow();
    assert.deepEqual([row.mfa, row.quorum, row['cluster-coverage']], [[], [], 'full']);
    const login = await cluster.cli([
      'login',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      'alice-pass-3',
    ]);
    assert.deepEqual(login.json, { error_code: 0, data: { username: 'alice', role: 'crypto-user' } });
    const mfa = await cluster.cli([
      'login',
      '--username',
      'alice',
      '--role',
      'crypto-user',
      '--password',
      'alice-pass-3',
      'mfa-token-sign',
      '--token',
      file('n.json'),
      '--sign-with',
      file('k2.key'),
    ]);
    assert.deepEqual(mfa.json, {
      error_code: 1,
      data: 'User alice does not have MFA enabled; log in with: login --username alice --role crypto-user',
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
