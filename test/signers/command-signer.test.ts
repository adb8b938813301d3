// The external-command signer (--sign-command with --public-key) through `localhsm token sign`: openssl
// as the "KMS", raw or base64 output, and every way a signer can go wrong caught before the file is written.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyTokenSignature } from '../../src/tokens/token-sign.js';
import { tempDir } from '../helpers/cluster.js';
import { testKeyPair } from '../helpers/keys.js';
import { runLocalhsm } from '../helpers/localhsm.js';

describe('localhsm token sign --sign-command', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const tokenFile = (name: string, n: number) => {
    const tokens = Array.from({ length: n }, () => crypto.randomBytes(32).toString('base64'));
    fs.writeFileSync(
      file(name),
      JSON.stringify(
        { version: '2.0', tokens: tokens.map((unsigned) => ({ unsigned, signed: '' })) },
        null,
        2,
      ) + '\n',
    );
    return tokens;
  };
  const signed = (name: string): { unsigned: string; signed: string }[] =>
    JSON.parse(fs.readFileSync(file(name), 'utf8')).tokens;
  /** openssl as the external signer: the token on stdin is the digest (like a KMS Sign with MessageType=DIGEST). */
  const openssl = (key: string) => `openssl pkeyutl -sign -inkey ${file(key)} -pkeyopt digest:sha256`;
  const sign = (tokenName: string, command: string, pub = 'good.pub', env: NodeJS.ProcessEnv = {}) =>
    runLocalhsm(
      ['token', 'sign', '--token', file(tokenName), '--sign-command', command, '--public-key', file(pub)],
      env,
    );

  before(() => {
    dir = tempDir('localhsm-sign-command-');
    for (const [name, pair] of [
      ['good', testKeyPair('cmd-good')],
      ['other', testKeyPair('cmd-other')],
    ] as const) {
      fs.writeFileSync(file(`${name}.key`), pair.privatePem, { mode: 0o600 });
      fs.writeFileSync(file(`${name}.pub`), pair.publicPem);
    }
    fs.writeFileSync(file('small.pub'), testKeyPair('cmd-small', 1024).publicPem);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the command once per token (token on stdin, raw signature on stdout) and writes the verified file', async () => {
    const tokens = tokenFile('raw.json', 3);
    const run = await sign('raw.json', `echo x >> ${file('calls')}; ${openssl('good.key')}`);
    assert.deepEqual(
      [run.code, run.stdout, run.stderr],
      [0, `Signed 3 MFA token(s) into ${file('raw.json')}\n`, ''],
    );
    assert.equal(fs.readFileSync(file('calls'), 'utf8'), 'x\nx\nx\n');
    const pub = testKeyPair('cmd-good').publicKey;
    signed('raw.json').forEach((t, i) => {
      assert.equal(t.unsigned, tokens[i]);
      assert.equal(
        verifyTokenSignature(pub, Buffer.from(t.unsigned, 'base64'), Buffer.from(t.signed, 'base64')),
        true,
      );
    });
  });

  it('accepts base64 output (aws kms sign --output text) and offers the token in LOCALHSM_TOKEN_BASE64 / _HEX', async () => {
    tokenFile('b64.json', 2);
    const viaEnv = `printf %s "$LOCALHSM_TOKEN_BASE64" | base64 -d | ${openssl('good.key')} | base64 -w0`;
    assert.equal((await sign('b64.json', viaEnv)).code, 0);
    tokenFile('hex.json', 1);
    const unhex = `"${process.execPath}" -e "process.stdout.write(Buffer.from(process.env.LOCALHSM_TOKEN_HEX, 'hex'))"`;
    const viaHex = `${unhex} | ${openssl('good.key')}`;
    const hex = await sign('hex.json', viaHex);
    assert.equal(hex.code, 0, hex.stderr);
    for (const name of ['b64.json', 'hex.json']) {
      for (const t of signed(name)) {
        assert.equal(
          verifyTokenSignature(
            testKeyPair('cmd-good').publicKey,
            Buffer.from(t.unsigned, 'base64'),
            Buffer.from(t.signed, 'base64'),
          ),
          true,
        );
      }
    }
  });

  it('catches a signer that signs with another key, or hashes the token again, before anything is written', async () => {
    const tokens = tokenFile('w.json', 3);
    const before = fs.readFileSync(file('w.json'));
    const wrongKey = await sign('w.json', openssl('other.key'));
    assert.equal(wrongKey.code, 1);
    assert.match(
      wrongKey.stderr,
      new RegExp(
        `^error: The signature made by the --sign-command for token 1 of 3 \\(unsigned ${escape(tokens[0]!)}\\) does not verify with its public key SHA256:[0-9a-f]{16}; nothing was written or sent\\n$`,
      ),
    );
    // `openssl dgst -sha256 -sign` (like CKM_SHA256_RSA_PKCS or a KMS Sign with MessageType=RAW) re-hashes the token.
    const rehash = await sign('w.json', `openssl dgst -sha256 -sign ${file('good.key')}`);
    assert.equal(rehash.code, 1);
    assert.match(
      rehash.stderr,
      /^error: The signature made by the --sign-command for token 1 of 3 .* does not verify/,
    );
    assert.deepEqual(fs.readFileSync(file('w.json')), before);
  });

  it('reports a command that fails, prints no signature or too much, showing its stderr', async () => {
    const tokens = tokenFile('f.json', 2);
    const before = fs.readFileSync(file('f.json'));
    const where = `token 1 of 2 (unsigned ${tokens[0]})`;
    const cases: [string, string][] = [
      [
        'echo "AccessDeniedException: not authorized to kms:Sign" >&2; exit 254',
        `AccessDeniedException: not authorized to kms:Sign\nerror: The --sign-command failed for ${where}: it exited with status 254\n`,
      ],
      ['true', `error: The --sign-command failed for ${where}: it printed nothing on stdout\n`],
      [
        'echo not-a-signature',
        `error: The --sign-command failed for ${where}: it printed 16 bytes that are neither a raw 256-byte signature nor its base64\n`,
      ],
      [
        'head -c 70000 /dev/zero',
        `error: The --sign-command failed for ${where}: it printed more than 65536 bytes; a signature is 256\n`,
      ],
      ['kill -9 $$', `error: The --sign-command failed for ${where}: it was killed by SIGKILL\n`],
    ];
    for (const [command, stderr] of cases) {
      const run = await sign('f.json', command);
      assert.deepEqual([run.code, run.stdout, run.stderr], [1, '', stderr], command);
    }
    assert.deepEqual(fs.readFileSync(file('f.json')), before);
  });

  it('keeps the HSM password (CLOUDHSM_PIN) out of the command environment', async () => {
    tokenFile('env.json', 1);
    const run = await sign(
      'env.json',
      `test -z "$CLOUDHSM_PIN" && test -n "$KEEP_ME" && ${openssl('good.key')}`,
      'good.pub',
      {
        CLOUDHSM_PIN: 'admin:secret-pass',
        KEEP_ME: 'yes',
      },
    );
    assert.equal(run.code, 0, run.stderr);
  });

  it('needs --public-key, an RSA 2048-bit one, and exactly one signer', async () => {
    tokenFile('u.json', 1);
    const missing = await runLocalhsm(['token', 'sign', '--token', file('u.json'), '--sign-command', 'true']);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /^error: the following required arguments were not provided:\n {2}--public-key <PEM>\n/,
    );
    const small = await sign('u.json', openssl('good.key'), 'small.pub');
    assert.deepEqual(
      [small.code, small.stderr],
      [1, 'error: Invalid public key: it is RSA 1024-bit; an RSA 2048-bit key is required\n'],
    );
    const none = await runLocalhsm(['token', 'sign', '--token', file('u.json')]);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^error: the following required arguments were not provided:\n {2}<--private-key <KEY>\|--pkcs11-module <PATH>\|--sign-command <CMD>>\n/,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
