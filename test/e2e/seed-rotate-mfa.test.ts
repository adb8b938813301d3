// The founding scenario (seeds/000: rotating the MFA key of a crypto user), replayed literally: a real
// 3-process cluster (`localhsm up`), the real `cloudhsm-cli interactive` in a pseudo-terminal, and the
// seed's own echo / base64 -d / openssl pkeyutl / base64 -w0 commands run by bash on the real tokens.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import { tempDir } from '../helpers/cluster.js';
import { bash } from '../helpers/localhsm.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLOUDHSM_CLI = path.join(ROOT, 'bin', 'cloudhsm-cli');
const LOCALHSM = path.join(ROOT, 'bin', 'localhsm');

const USERNAME = 'mfa_user';
const ADMIN_PW = 'admin-pass-1';
const OLD_PW = 'user-pass-1';
const NEW_PW = 'user-pass-2';
const SHELL = 'aws-cloudhsm > ';
const SIGNED_PROMPT = 'Enter signed token file path (press enter if same as the unsigned token file):';
const PUBKEY_PROMPT = 'Enter public key PEM file path:';

/** `cat unsigned-tokens.json` as the seed shows it, for the given token values. */
function seedUnsignedFile(tokens: readonly string[]): string {
  return `{
  "version": "2.0",
  "tokens": [
${tokens.map((t) => `    {\n      "unsigned": "${t}",\n      "signed": ""\n    }`).join(',\n')}
  ]
}
`;
}

/** Removes terminal control sequences and carriage returns from pty output. */
function clean(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][0-9A-Za-z]/g, '')
    .replace(/\r/g, '');
}

/** The JSON envelope in a piece of terminal output: from a line `{` to the last line `}`. */
function envelopeIn(chunk: string): { text: string; json: { error_code: number; data: any } } {
  const start = chunk.search(/^\{$/m);
  const end = chunk.lastIndexOf('\n}');
  assert.ok(start !== -1 && end > start, `no JSON envelope in:\n${chunk}`);
  const text = chunk.slice(start, end + 2);
  return { text, json: JSON.parse(text) };
}

/** cloudhsm-cli in a pseudo-terminal: type lines, wait for text. */
class Terminal {
  private raw = '';
  private consumed = 0;
  private wake: (() => void) | undefined;
  exit: { exitCode: number } | undefined;

  constructor(private readonly proc: pty.IPty) {
    proc.onData((data) => {
      this.raw += data;
      this.wake?.();
    });
    proc.onExit((e) => {
      this.exit = e;
      this.wake?.();
    });
  }

  /** Waits for `needle` after what was already consumed; returns the output before it. */
  async expect(needle: string): Promise<string> {
    for (;;) {
      const text = clean(this.raw);
      const at = text.indexOf(needle, this.consumed);
      if (at !== -1) {
        const before = text.slice(this.consumed, at);
        this.consumed = at + needle.length;
        return before;
      }
      if (this.exit)
        throw new Error(
          `cloudhsm-cli exited before printing ${JSON.stringify(needle)}; output:\n${text.slice(this.consumed)}`,
        );
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Everything shown so far, without control sequences. */
  get transcript(): string {
    return clean(this.raw);
  }

  type(line: string): void {
    this.proc.write(`${line}\r`);
  }

  /** Types a shell command, answers its prompts, and returns its envelope (read up to the next shell prompt). */
  async command(line: string): Promise<{ text: string; json: { error_code: number; data: any } }> {
    this.type(line);
    return envelopeIn(await this.expect(SHELL));
  }

  async exited(): Promise<number> {
    while (!this.exit) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.exit.exitCode;
  }

  kill(): void {
    if (!this.exit) this.proc.kill();
  }
}

describe(
  'seed 000: rotate the MFA key of a crypto user (real processes, pseudo-terminal, openssl)',
  { timeout: 120_000 },
  () => {
    let work: string;
    let state: string;
    let term: Terminal | undefined;
    const env = () => ({ ...process.env, LOCALHSM_STATE: state, LOCALHSM_TEST: '1' });
    const run = (bin: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) =>
      execFileSync(process.execPath, [bin, ...args], {
        cwd: work,
        env: { ...env(), ...extraEnv },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const asAdmin = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PW}` };

    /**
     * The seed's steps 4-7 for a token file: extract and decode each token, sign it with `key` using the
     * seed's openssl command, base64 -w0 the signature, and paste the values back into the file.
     */
    function signLikeTheSeed(tokenFile: string, key: string): string[] {
      const doc = JSON.parse(bash(`cat ${tokenFile}`, work)) as {
        version: string;
        tokens: { unsigned: string; signed: string }[];
      };
      doc.tokens.forEach((token, i) => {
        const n = i + 1;
        bash(`echo "${token.unsigned}" > token${n}.b64`, work);
        bash(`base64 -d token${n}.b64 > token${n}.bin`, work);
        bash(
          `openssl pkeyutl -sign \\
      -inkey ${key} \\
      -pkeyopt digest:sha256 \\
      -keyform PEM \\
      -in token${n}.bin \\
      -out token${n}.sig.bin`,
          work,
        );
        bash(`base64 -w0 token${n}.sig.bin > token${n}.sig.b64`, work);
        token.signed = fs.readFileSync(path.join(work, `token${n}.sig.b64`), 'utf8');
      });
      // "copy and paste the base64 values back into your token file"
      fs.writeFileSync(path.join(work, tokenFile), JSON.stringify(doc, null, 2) + '\n');
      return doc.tokens.map((t) => t.unsigned);
    }

    /** `login ... mfa-token-sign` typed in the shell, the tokens signed with the seed's recipe and `key`. */
    async function loginWith(key: string, password: string) {
      term!.type(`login --username ${USERNAME} --role crypto-user mfa-token-sign --token login-tokens.json`);
      await term!.expect('Enter password:');
      term!.type(password);
      await term!.expect(SIGNED_PROMPT);
      signLikeTheSeed('login-tokens.json', key);
      return term!.command('');
    }

    before(() => {
      work = tempDir('localhsm-seed000-');
      state = path.join(work, 'cluster');
      run(LOCALHSM, ['up', '--hsms', '3', '--kdf', 'fast', '--base-port', '0', '--detach', '--state', state]);
      // Set-up before the seed: an activated cluster, the crypto user, two key pairs made by openssl,
      // and MFA enabled with the first key (LocalHSM's --sign-with extension).
      assert.match(
        run(CLOUDHSM_CLI, ['cluster', 'activate', '--password', ADMIN_PW]),
        /"Cluster activation successful"/,
      );
      const created = JSON.parse(
        run(
          CLOUDHSM_CLI,
          ['user', 'create', '--username', USERNAME, '--role', 'crypto-user', '--password', OLD_PW],
          asAdmin,
        ),
      );
      assert.equal(created.error_code, 0);
      bash(
        'openssl genrsa -out old-mfa.key 2048 2>/dev/null && openssl rsa -in old-mfa.key -pubout -out old-mfa.pub 2>/dev/null',
        work,
      );
      bash(
        'openssl genrsa -out officer1.key 2048 2>/dev/null && openssl rsa -in officer1.key -pubout -out officer1.pub 2>/dev/null',
        work,
      );
      const enabled = JSON.parse(
        run(
          CLOUDHSM_CLI,
          [
            'user',
            'change-mfa',
            'token-sign',
            '--username',
            USERNAME,
            '--role',
            'crypto-user',
            '--token',
            'enable-tokens.json',
            '--change-password',
            OLD_PW,
            '--sign-with',
            'old-mfa.key',
          ],
          asAdmin,
        ),
      );
      assert.deepEqual(enabled, { error_code: 0, data: { username: USERNAME, role: 'crypto-user' } });
    });

    after(() => {
      term?.kill();
      try {
        run(LOCALHSM, ['down', '--state', state]);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });

    it('replays the seed: login, change-mfa --change-quorum, cat, openssl signing, paste, public key, user list, next logins', async () => {
      term = new Terminal(
        pty.spawn(process.execPath, [CLOUDHSM_CLI, 'interactive'], {
          name: 'xterm',
          cols: 400,
          rows: 50,
          cwd: work,
          env: env(),
        }),
      );
      await term.expect(SHELL);

      // 1. Log in as the user who has MFA enabled (with the key registered during set-up).
      assert.deepEqual((await loginWith('old-mfa.key', OLD_PW)).json, {
        error_code: 0,
        data: { username: USERNAME, role: 'crypto-user' },
      });

      // 2. user change-mfa token-sign --token unsigned-tokens.json --username <USERNAME> --role crypto-user --change-quorum
      term.type(
        `user change-mfa token-sign --token unsigned-tokens.json --username ${USERNAME} --role crypto-user --change-quorum`,
      );
      await term.expect('Enter password:');
      term.type(NEW_PW);
      await term.expect('Confirm password:');
      term.type(NEW_PW);
      await term.expect(SIGNED_PROMPT);

      // 3. $cat unsigned-tokens.json: one token per HSM, in the seed's layout; a private file.
      const cat = bash('cat unsigned-tokens.json', work);
      const unsigned = (JSON.parse(cat) as { tokens: { unsigned: string }[] }).tokens.map((t) => t.unsigned);
      assert.equal(unsigned.length, 3);
      assert.equal(cat, seedUnsignedFile(unsigned));
      assert.equal(fs.statSync(path.join(work, 'unsigned-tokens.json')).mode & 0o777, 0o600);

      // 4-7. echo > tokenN.b64, base64 -d, openssl pkeyutl -sign with the NEW key, base64 -w0, paste back.
      assert.deepEqual(signLikeTheSeed('unsigned-tokens.json', 'officer1.key'), unsigned);
      const verify = run(LOCALHSM, [
        'token',
        'verify',
        '--token',
        'unsigned-tokens.json',
        '--public-key',
        'officer1.pub',
      ]);
      assert.match(verify, /^3 of 3 token\(s\) verify with officer1\.pub$/m);

      // 8. Enter (same file), then the public key path; the seed's JSON answer.
      term.type('');
      await term.expect(PUBKEY_PROMPT);
      const answer = await term.command('officer1.pub');
      assert.equal(
        answer.text,
        `{\n  "error_code": 0,\n  "data": {\n    "username": "${USERNAME}",\n    "role": "crypto-user"\n  }\n}`,
      );

      // user list: MFA enabled, full coverage (and the quorum key replaced with it: --change-quorum).
      const list = await term.command('user list');
      const row = list.json.data.users.find((u: { username: string }) => u.username === USERNAME);
      assert.deepEqual(row, {
        username: USERNAME,
        role: 'crypto-user',
        locked: 'false',
        mfa: [{ strategy: 'token-sign', status: 'enabled' }],
        quorum: [{ strategy: 'token-sign', status: 'enabled' }],
        'cluster-coverage': 'full',
      });

      // The next login: the old key is refused, the new one works.
      assert.deepEqual((await term.command('logout')).json, { error_code: 0, data: 'Logout successful' });
      const old = await loginWith('old-mfa.key', NEW_PW);
      assert.equal(old.json.error_code, 1);
      assert.match(
        old.json.data,
        /^Token 1 of 3 \(unsigned \S+\) failed verification on HSM at 127\.0\.0\.1:\d+: The signature does not verify with the registered MFA public key$/,
      );
      assert.deepEqual((await loginWith('officer1.key', NEW_PW)).json, {
        error_code: 0,
        data: { username: USERNAME, role: 'crypto-user' },
      });

      term.type('quit');
      assert.equal(await term.exited(), 0);
      if (process.env.SHOW_TRANSCRIPT) console.error(term.transcript);
    });
  },
);
