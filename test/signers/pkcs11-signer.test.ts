// PKCS#11 signing against a real SoftHSM2 token (created in a temporary directory, keys generated on the
// token): token pubkey / token sign, the PIN rules (one attempt, locked PIN), the errors, a quorum approval
// token, and lazy loading of the native binding.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type * as Pkcs11js from 'pkcs11js';
import { HsmError } from '../../src/errors.js';
import { Pkcs11Signer, type Pkcs11Target } from '../../src/signers/pkcs11-signer.js';
import { type SignerIo, signAll } from '../../src/signers/signer.js';
import { SHA256_DIGEST_INFO, verifyTokenSignature } from '../../src/tokens/token-sign.js';
import { bash, runLocalhsm } from '../helpers/localhsm.js';
import { type SoftHsm, createSoftHsm } from '../helpers/softhsm.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PIN = 'user-pin-1';
const TOKEN = 'mfa';

describe('PKCS#11 token signing with SoftHSM2', { timeout: 120_000 }, () => {
  let hsm: SoftHsm;
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const pkcs11 = (key: string, token = TOKEN) => [
    '--pkcs11-module',
    hsm.module,
    '--pkcs11-token',
    token,
    '--key-label',
    key,
  ];
  const withPin = (key: string) => [...pkcs11(key), '--pin-file', file('pin')];
  const target = (keyLabel: string, pinFile: string | undefined = file('pin')): Pkcs11Target => ({
    module: hsm.module,
    token: TOKEN,
    keyLabel,
    pinFile,
  });
  const quietIo = (warnings: string[] = [], answers: string[] = []): SignerIo => ({
    warn: (line) => warnings.push(line),
    prompt: async (q) => {
      const a = answers.shift();
      if (a === undefined) throw new Error(`unexpected prompt ${q}`);
      return a;
    },
  });
  /** A token file with `n` fresh random tokens, as cloudhsm-cli writes it. */
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
  const signedOf = (name: string): { unsigned: string; signed: string }[] =>
    JSON.parse(fs.readFileSync(file(name), 'utf8')).tokens;
  /** Counts C_Login calls on the real module (and lets a test change what the token answers). */
  function counting(overrides: Partial<Record<keyof Pkcs11js.PKCS11, (...args: any[]) => unknown>> = {}) {
    const calls: unknown[][] = [];
    const wrap = (api: Pkcs11js.PKCS11) =>
      new Proxy(api, {
        get(real, prop: string) {
          const value = (real as any)[prop];
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (prop === 'C_Login') calls.push(args);
            const override = overrides[prop as keyof Pkcs11js.PKCS11];
            return override ? override(real, ...args) : value.apply(real, args);
          };
        },
      });
    return { calls, hooks: { wrap } };
  }

  before(async () => {
    hsm = createSoftHsm();
    dir = hsm.dir;
    hsm.initToken(TOKEN, PIN);
    hsm.initToken('other', 'other-pin-1');
    await hsm.generateKey(TOKEN, PIN, { label: 'alice' });
    await hsm.generateKey(TOKEN, PIN, { label: 'piv-9c', alwaysAuthenticate: true });
    await hsm.generateKey(TOKEN, PIN, { label: 'small', bits: 1024 });
    await hsm.generateKey(TOKEN, PIN, { label: 'ec', type: 'ec' });
    await hsm.generateKey(TOKEN, PIN, { label: 'nosign', sign: false });
    await hsm.generateKey(TOKEN, PIN, { label: 'dup' });
    await hsm.generateKey(TOKEN, PIN, { label: 'dup' });
    fs.writeFileSync(file('pin'), `${PIN}\n`, { mode: 0o600 });
    fs.writeFileSync(file('wrong-pin'), 'not-the-pin\n', { mode: 0o600 });
  });
  after(() => hsm?.close());

  it('exports the public key from the token; the private key never leaves it', async () => {
    const exported = await runLocalhsm(['token', 'pubkey', ...withPin('alice'), '--out', file('alice.pub')]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(
      exported.stdout,
      new RegExp(
        `^Wrote the public key of the PKCS#11 key "alice" on token mfa \\(SHA256:[0-9a-f]{16}\\) to ${file('alice.pub')}\\n$`,
      ),
    );
    const pem = fs.readFileSync(file('alice.pub'), 'utf8');
    const key = crypto.createPublicKey(pem);
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
    const printed = await runLocalhsm(['token', 'pubkey', ...withPin('alice')]);
    assert.deepEqual([printed.code, printed.stdout, printed.stderr], [0, pem, '']);
    // The key is sensitive and not extractable: the token refuses to reveal its private exponent.
    await hsm.withSession(TOKEN, PIN, (api, session, lib) => {
      api.C_FindObjectsInit(session, [
        { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
        { type: lib.CKA_LABEL, value: 'alice' },
      ]);
      const [handle] = api.C_FindObjects(session, 2);
      api.C_FindObjectsFinal(session);
      assert.throws(
        () => api.C_GetAttributeValue(session, handle!, [{ type: lib.CKA_PRIVATE_EXPONENT }]),
        /CKR_ATTRIBUTE_SENSITIVE/,
      );
    });
  });

  it('signs every token of a file on the token; openssl verifies each signature with the exported key', async () => {
    const tokens = tokenFile('t.json', 3);
    const run = await runLocalhsm(['token', 'sign', '--token', file('t.json'), ...withPin('alice')]);
    assert.deepEqual(
      [run.code, run.stdout, run.stderr],
      [0, `Signed 3 MFA token(s) into ${file('t.json')}\n`, ''],
    );
    assert.equal(fs.statSync(file('t.json')).mode & 0o777, 0o600);
    const pub = crypto.createPublicKey(fs.readFileSync(file('alice.pub'), 'utf8'));
    signedOf('t.json').forEach((entry, i) => {
      assert.equal(entry.unsigned, tokens[i]);
      const token = Buffer.from(entry.unsigned, 'base64');
      const signature = Buffer.from(entry.signed, 'base64');
      assert.equal(verifyTokenSignature(pub, token, signature), true);
      fs.writeFileSync(file(`tok${i}.bin`), token);
      fs.writeFileSync(file(`tok${i}.sig`), signature);
      assert.match(
        bash(
          `openssl pkeyutl -verify -pubin -inkey alice.pub -pkeyopt digest:sha256 -in tok${i}.bin -sigfile tok${i}.sig`,
          dir,
        ),
        /Signature Verified Successfully/,
      );
    });
    const verify = await runLocalhsm([
      'token',
      'verify',
      '--token',
      file('t.json'),
      '--public-key',
      file('alice.pub'),
    ]);
    assert.equal(verify.code, 0);
    assert.match(verify.stdout, /^3 of 3 token\(s\) verify with /m);
  });

  it('CKM_SHA256_RSA_PKCS (the obvious mechanism) hashes the token again: its signature is refused', async () => {
    const token = crypto.randomBytes(32);
    const wrong = await hsm.withSession(TOKEN, PIN, (api, session, lib) => {
      api.C_FindObjectsInit(session, [
        { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
        { type: lib.CKA_LABEL, value: 'alice' },
      ]);
      const [handle] = api.C_FindObjects(session, 2);
      api.C_FindObjectsFinal(session);
      api.C_SignInit(session, { mechanism: lib.CKM_SHA256_RSA_PKCS }, handle!);
      return Buffer.from(api.C_Sign(session, token, Buffer.alloc(256)));
    });
    const pub = crypto.createPublicKey(fs.readFileSync(file('alice.pub'), 'utf8'));
    assert.equal(crypto.verify('sha256', token, pub, wrong), true, 'it is a signature of SHA-256(token)');
    assert.equal(verifyTokenSignature(pub, token, wrong), false, 'not of the token itself');
    // The signer's CKM_RSA_PKCS over DigestInfo || token is the right one.
    const signer = await Pkcs11Signer.open(target('alice'), quietIo());
    try {
      const [right] = await signAll(signer, [token]);
      assert.equal(verifyTokenSignature(pub, token, right!), true);
      assert.deepEqual(
        crypto.publicDecrypt({ key: pub, padding: crypto.constants.RSA_PKCS1_PADDING }, right!),
        Buffer.concat([SHA256_DIGEST_INFO, token]),
      );
    } finally {
      await signer.close();
    }
  });

  it('asks for the PIN (hidden) when no --pin-file is given', async () => {
    tokenFile('prompted.json', 1);
    const run = await runLocalhsm(
      ['token', 'sign', '--token', file('prompted.json'), ...pkcs11('alice')],
      {},
      `${PIN}\n`,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, 'Enter PIN for token mfa:\n');
    assert.notEqual(signedOf('prompted.json')[0]!.signed, '');
  });

  it('refuses a wrong PIN after exactly one login attempt, writes nothing, and the right PIN works next', async () => {
    tokenFile('w.json', 2);
    const before = fs.readFileSync(file('w.json'));
    const run = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('w.json'),
      ...pkcs11('alice'),
      '--pin-file',
      file('wrong-pin'),
    ]);
    assert.deepEqual([run.code, run.stdout, run.stderr], [1, '', 'error: PIN incorrect for token mfa\n']);
    assert.deepEqual(fs.readFileSync(file('w.json')), before);

    const { calls, hooks } = counting();
    await assert.rejects(
      Pkcs11Signer.open(target('alice', file('wrong-pin')), quietIo(), hooks),
      (e: unknown) =>
        e instanceof HsmError &&
        e.code === 'ERR_PKCS11_PIN_INCORRECT' &&
        e.message === 'PIN incorrect for token mfa',
    );
    assert.equal(calls.length, 1, 'one C_Login, never a retry');

    // SoftHSM2 now reports the failed attempts (CKF_USER_PIN_COUNT_LOW): a warning, then the sign works.
    const ok = await runLocalhsm(['token', 'sign', '--token', file('w.json'), ...withPin('alice')]);
    assert.equal(ok.code, 0);
    assert.equal(ok.stderr, 'warning: token mfa reports incorrect PINs since its last successful login\n');
  });

  it('a locked PIN gets its own message; when the token already reports it, no PIN is asked or tried', async () => {
    const locked = (e: unknown) =>
      e instanceof HsmError &&
      e.code === 'ERR_PKCS11_PIN_LOCKED' &&
      e.message ===
        'The user PIN of token mfa is locked (too many incorrect PINs); unlock it with the security officer PIN or PUK';
    const reported = counting({
      C_GetTokenInfo: (real: any, slot: Buffer) => {
        const info = real.C_GetTokenInfo(slot);
        return { ...info, flags: info.flags | 0x40000 /* CKF_USER_PIN_LOCKED */ };
      },
    });
    const prompts: string[] = [];
    const io: SignerIo = { warn: () => {}, prompt: async (q) => (prompts.push(q), PIN) };
    await assert.rejects(Pkcs11Signer.open(target('alice', undefined), io, reported.hooks), locked);
    assert.deepEqual([reported.calls.length, prompts], [0, []]);

    const refused = counting({
      C_Login: () => {
        throw Object.assign(new Error('CKR_PIN_LOCKED'), { code: 0xa4 });
      },
    });
    await assert.rejects(Pkcs11Signer.open(target('alice'), quietIo(), refused.hooks), locked);
    assert.equal(refused.calls.length, 1);
  });

  it('names the call and the code when the module refuses, with a hint for an unreachable device', async () => {
    const unreachable = counting({
      C_GetSlotList: () => {
        throw Object.assign(new Error('CKR_DEVICE_ERROR'), { code: 0x30 });
      },
    });
    await assert.rejects(
      Pkcs11Signer.open(target('alice'), quietIo(), unreachable.hooks),
      (e: unknown) =>
        e instanceof HsmError &&
        e.code === 'ERR_PKCS11' &&
        e.message ===
          'PKCS#11 C_GetSlotList failed on token mfa: CKR_DEVICE_ERROR (the module cannot reach its device; for a YubiKey or smart card, is pcscd running and the token plugged in?)',
    );
    const removed = counting({
      C_Sign: () => {
        throw Object.assign(new Error('CKR_DEVICE_REMOVED'), { code: 0x32 });
      },
    });
    const signer = await Pkcs11Signer.open(target('alice'), quietIo(), removed.hooks);
    try {
      await assert.rejects(signAll(signer, [crypto.randomBytes(32)]), {
        message: 'PKCS#11 C_Sign failed on token mfa: CKR_DEVICE_REMOVED (the token was removed)',
      });
    } finally {
      await signer.close();
    }
  });

  it('warns when the PIN file can be read by others', async () => {
    fs.writeFileSync(file('open-pin'), PIN, { mode: 0o644 });
    fs.chmodSync(file('open-pin'), 0o644);
    tokenFile('o.json', 1);
    const run = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('o.json'),
      ...pkcs11('alice'),
      '--pin-file',
      file('open-pin'),
    ]);
    assert.equal(run.code, 0);
    assert.equal(
      run.stderr,
      `warning: the PIN file ${file('open-pin')} can be read by others (mode 0644); chmod 600 it\n`,
    );
  });

  it('explains a module that will not load, an unknown token, a missing, ambiguous, non-RSA, small or non-signing key', async () => {
    tokenFile('e.json', 1);
    const before = fs.readFileSync(file('e.json'));
    fs.writeFileSync(file('not-a-library.so'), 'hello');
    const addon = createRequire(import.meta.url).resolve('pkcs11js/build/Release/pkcs11.node');
    const module = (m: string) => [
      '--pkcs11-module',
      m,
      '--pkcs11-token',
      TOKEN,
      '--key-label',
      'alice',
      '--pin-file',
      file('pin'),
    ];
    const cases: [string[], string][] = [
      [module(file('missing.so')), `Cannot load the PKCS#11 module ${file('missing.so')}: no such file`],
      [
        module(file('not-a-library.so')),
        `Cannot load the PKCS#11 module ${file('not-a-library.so')}: it is not a shared library`,
      ],
      [
        module(addon),
        `Cannot load the PKCS#11 module ${addon}: it is a shared library but not a PKCS#11 module (no C_GetFunctionList)`,
      ],
      [
        [...pkcs11('alice', 'nope'), '--pin-file', file('pin')],
        `No PKCS#11 token labelled "nope" in ${hsm.module} (tokens present: "mfa", "other")`,
      ],
      [withPin('bob'), 'No private key labelled "bob" on token mfa'],
      [
        withPin('dup'),
        '2 private keys are labelled "dup" in token mfa; LocalHSM signs only with a label that names exactly one',
      ],
      [
        withPin('ec'),
        'The key "ec" on token mfa cannot sign tokens: it is an EC key; token-sign needs an RSA 2048-bit key',
      ],
      [
        withPin('small'),
        'The key "small" on token mfa cannot sign tokens: it is RSA 1024-bit; CloudHSM registers only RSA 2048-bit keys for MFA and quorum',
      ],
      [
        withPin('nosign'),
        'The key "nosign" on token mfa cannot sign tokens: it may not sign (CKA_SIGN is false)',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runLocalhsm(['token', 'sign', '--token', file('e.json'), ...args]);
      assert.deepEqual([run.code, run.stdout, run.stderr], [1, '', `error: ${message}\n`], args.join(' '));
    }
    assert.deepEqual(fs.readFileSync(file('e.json')), before);
    const usage = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('e.json'),
      '--pkcs11-module',
      hsm.module,
      '--key-label',
      'alice',
    ]);
    assert.equal(usage.code, 2);
    assert.match(
      usage.stderr,
      /^error: the following required arguments were not provided:\n {2}--pkcs11-token <LABEL>\n/,
    );
    const both = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('e.json'),
      ...withPin('alice'),
      '--private-key',
      file('k.pem'),
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^error: the argument '--private-key' cannot be used with '--pkcs11-module'/);
  });

  it('signs with a key that wants the PIN before every signature (CKA_ALWAYS_AUTHENTICATE, like a YubiKey PIV 9c key)', async () => {
    const { calls, hooks } = counting();
    const signer = await Pkcs11Signer.open({ ...target('piv-9c') }, quietIo(), hooks);
    try {
      const tokens = [crypto.randomBytes(32), crypto.randomBytes(32), crypto.randomBytes(32)];
      const signatures = await signAll(signer, tokens);
      const pub = await signer.publicKey();
      tokens.forEach((t, i) => assert.equal(verifyTokenSignature(pub, t, signatures[i]!), true));
    } finally {
      await signer.close();
    }
    // CKU_USER once, then CKU_CONTEXT_SPECIFIC (2) for each signature.
    assert.deepEqual(
      calls.map((c) => c[1]),
      [1, 2, 2, 2],
    );
  });

  it('signs a quorum approval token (spec §5.4: the decoded top-level token) from SoftHSM2', async () => {
    const approvalData = crypto.randomBytes(240);
    const token = crypto.createHash('sha256').update(approvalData).digest();
    const approval = {
      version: '2.0',
      approval_data: approvalData.toString('base64'),
      token: token.toString('base64'),
      signatures: [] as { username: string; signature: string }[],
    };
    const signer = await Pkcs11Signer.open(target('alice'), quietIo());
    let signature: Buffer;
    try {
      [signature] = (await signAll(signer, [Buffer.from(approval.token, 'base64')])) as [Buffer];
    } finally {
      await signer.close();
    }
    approval.signatures.push({ username: 'officer1', signature: signature.toString('base64') });
    fs.writeFileSync(file('approval.json'), JSON.stringify(approval, null, 2));
    // What an HSM checks: the registered quorum key (exported from the token) verifies the signature
    // of the 32-byte token, which is also an ordinary RSA-SHA256 signature of approval_data.
    const pub = crypto.createPublicKey(fs.readFileSync(file('alice.pub'), 'utf8'));
    const stored = JSON.parse(fs.readFileSync(file('approval.json'), 'utf8')) as typeof approval;
    const sig = Buffer.from(stored.signatures[0]!.signature, 'base64');
    assert.equal(verifyTokenSignature(pub, Buffer.from(stored.token, 'base64'), sig), true);
    assert.equal(crypto.verify('sha256', Buffer.from(stored.approval_data, 'base64'), pub, sig), true);
  });

  it('loads the pkcs11js binding only when a PKCS#11 option is used', () => {
    const script = `
      import { createRequire } from 'node:module';
      import { PassThrough, Readable } from 'node:stream';
      import { localhsmMain } from ${JSON.stringify(path.join(ROOT, 'dist/src/localhsm/main.js'))};
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('pkcs11js'));
      const run = (args) => localhsmMain(args, process.env, { stdin: Readable.from(['']), stdout: new PassThrough(), stderr: new PassThrough() });
      const results = [];
      results.push(await run(['token', 'sign', '--token', process.argv[1], '--private-key', process.argv[2]]), loaded());
      results.push(await run(['token', 'pubkey', ...JSON.parse(process.argv[3])]), loaded());
      console.log(JSON.stringify(results));
    `;
    tokenFile('lazy.json', 1);
    fs.writeFileSync(
      file('k.pem'),
      crypto
        .generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script,
        file('lazy.json'),
        file('k.pem'),
        JSON.stringify(withPin('alice')),
      ],
      { encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: hsm.conf } },
    );
    assert.deepEqual(JSON.parse(out), [0, false, 0, true]);
  });
});
