// Token files (MFA and registration shapes), and `localhsm token sign/verify` against the openssl recipe of the docs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HsmError } from '../../src/errors.js';
import {
  matchSignatures,
  parseTokenFile,
  renderTokenFile,
  unsignedTokenFile,
  withSignatures,
} from '../../src/tokens/mfa-file.js';
import { tempDir } from '../helpers/cluster.js';
import { bash, runLocalhsm } from '../helpers/localhsm.js';

/** The unsigned token file of the seed scenario, byte for byte as `cat` shows it. */
const SEED_UNSIGNED = `{
  "version": "2.0",
  "tokens": [
    {
      "unsigned": "Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8=",
      "signed": ""
    },
    {
      "unsigned": "wVbC0/5IKwjyZK2NBpdFLyI7BiayZ24YcdUdlcxLwZ4=",
      "signed": ""
    },
    {
      "unsigned": "z6aW9RzErJBL5KqFG5h8lhTVt9oLbxppjod0Ebysydw=",
      "signed": ""
    }
  ]
}
`;

/** A quorum registration file as cloudhsm-cli 5.18 writes it (spec §5.2), plus a field we do not know. */
const REGISTRATION = {
  version: '2.0',
  tokens: [
    {
      approval_data: Buffer.from('registration approval data from the HSM').toString('base64'),
      unsigned: crypto
        .createHash('sha256')
        .update('registration approval data from the HSM')
        .digest('base64'),
      signed: '',
    },
  ],
  signatures: [{ username: 'officer1', role: 'admin', signature: '' }],
  'x-future-field': { kept: true },
};

function expectError(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof HsmError && e.code === code && e.message === message);
}

describe('token file parsing', () => {
  it("reads the seed's unsigned file and writes the same layout", () => {
    const file = parseTokenFile(SEED_UNSIGNED, 'unsigned-tokens.json');
    assert.equal(file.kind, 'mfa');
    assert.deepEqual(
      file.tokens.map((t) => [t.unsigned, t.signed, t.token.length]),
      [
        ['Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8=', '', 32],
        ['wVbC0/5IKwjyZK2NBpdFLyI7BiayZ24YcdUdlcxLwZ4=', '', 32],
        ['z6aW9RzErJBL5KqFG5h8lhTVt9oLbxppjod0Ebysydw=', '', 32],
      ],
    );
    assert.equal(unsignedTokenFile(file.tokens.map((t) => t.unsigned)), SEED_UNSIGNED);
    assert.equal(renderTokenFile(file), SEED_UNSIGNED);
  });

  it('refuses malformed files with a clear reason', () => {
    const bad = (doc: unknown, detail: string) =>
      expectError(
        () => parseTokenFile(typeof doc === 'string' ? doc : JSON.stringify(doc), 't.json'),
        'ERR_TOKEN_FILE',
        `Invalid token file t.json: ${detail}`,
      );
    const token = (unsigned: unknown, extra: object = {}) => ({
      version: '2.0',
      tokens: [{ unsigned, signed: '', ...extra }],
    });
    bad('{"version": "2.0", "tokens": [', 'it is not JSON');
    bad('[]', 'it is not a JSON object');
    bad({ version: '1.0', tokens: [] }, '"version" is "1.0"; expected "2.0"');
    bad({ tokens: [] }, '"version" is missing; expected "2.0"');
    bad({ version: '2.0', tokens: [] }, '"tokens" must be a non-empty array');
    bad(
      { version: '2.0', approval_data: 'AAAA', token: 'x', signatures: [] },
      'it is a quorum approval token file (one top-level "token", signed into "signatures"), not an MFA or registration token file',
    );
    bad({ version: '2.0', tokens: ['x'] }, 'token 1 of 1 is not an object');
    bad({ version: '2.0', tokens: [{ signed: '' }] }, 'token 1 of 1 has no "unsigned" value');
    bad(
      token('Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8'),
      'token 1 of 1: "unsigned" is not base64 of a 32-byte token',
    );
    bad(token('AAAA'), 'token 1 of 1: "unsigned" is not base64 of a 32-byte token');
    bad(
      token('Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8=\n'),
      'token 1 of 1: "unsigned" is not base64 of a 32-byte token',
    );
    bad(
      token('Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8=', { signed: null }),
      'token 1 of 1: "signed" must be a string',
    );
    bad(
      token('Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8=', { approval_data: 'not base64!' }),
      'token 1 of 1: "approval_data" is not base64',
    );
    bad(
      {
        version: '2.0',
        tokens: [
          ...REGISTRATION.tokens,
          { unsigned: 'Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8=', signed: '' },
        ],
      },
      'some tokens have "approval_data" and some do not (a registration file has it on every token)',
    );
  });

  it('rewrites a registration file keeping every field it does not know', () => {
    const file = parseTokenFile(JSON.stringify(REGISTRATION), 'reg.json');
    assert.equal(file.kind, 'registration');
    const signed = withSignatures(file, () => 'c2lnbmF0dXJl');
    assert.deepEqual(JSON.parse(renderTokenFile(signed)), {
      ...REGISTRATION,
      tokens: [{ ...REGISTRATION.tokens[0], signed: 'c2lnbmF0dXJl' }],
    });
    assert.equal(REGISTRATION.tokens[0]!.signed, '', 'the parsed document is not modified in place');
  });

  it('matches signatures to issued tokens by value, whatever their order', () => {
    const sig = (n: number) => Buffer.alloc(256, n).toString('base64');
    const issued = [
      'Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8=',
      'wVbC0/5IKwjyZK2NBpdFLyI7BiayZ24YcdUdlcxLwZ4=',
      'z6aW9RzErJBL5KqFG5h8lhTVt9oLbxppjod0Ebysydw=',
    ];
    const hsms = issued.map((unsigned, i) => ({ unsigned, hsm: `127.0.0.1:${2223 + i}` }));
    const doc = (tokens: { unsigned: string; signed: string }[]) =>
      parseTokenFile(JSON.stringify({ version: '2.0', tokens }), 's.json');
    const reordered = doc([
      { unsigned: issued[2]!, signed: sig(3) },
      { unsigned: issued[0]!, signed: sig(1) },
      { unsigned: issued[1]!, signed: sig(2) },
    ]);
    assert.deepEqual(matchSignatures(reordered, 's.json', hsms), [
      { unsigned: issued[0], signature: sig(1), index: 2, total: 3 },
      { unsigned: issued[1], signature: sig(2), index: 3, total: 3 },
      { unsigned: issued[2], signature: sig(3), index: 1, total: 3 },
    ]);

    const foreign = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    expectError(
      () =>
        matchSignatures(
          doc([{ unsigned: foreign, signed: sig(1) }, ...reordered.tokens.slice(1)]),
          's.json',
          hsms,
        ),
      'ERR_TOKEN_NOT_ISSUED',
      `Token 1 of 3 (unsigned ${foreign}) in s.json was not issued for this operation; tokens are single-use, sign the file this command wrote`,
    );
    expectError(
      () =>
        matchSignatures(
          doc([
            { unsigned: issued[0]!, signed: sig(1) },
            { unsigned: issued[1]!, signed: sig(2) },
          ]),
          's.json',
          hsms,
        ),
      'ERR_TOKEN_MISSING',
      `The token of HSM at 127.0.0.1:2225 (unsigned ${issued[2]}) is missing from s.json`,
    );
    expectError(
      () =>
        matchSignatures(
          doc([
            { unsigned: issued[0]!, signed: sig(1) },
            { unsigned: issued[0]!, signed: sig(1) },
            { unsigned: issued[1]!, signed: sig(2) },
          ]),
          's.json',
          hsms,
        ),
      'ERR_TOKEN_FILE',
      'Invalid token file s.json: token 2 repeats the "unsigned" value of token 1',
    );
    expectError(
      () =>
        matchSignatures(
          doc([
            { unsigned: issued[0]!, signed: sig(1) },
            { unsigned: issued[1]!, signed: '' },
            { unsigned: issued[2]!, signed: sig(3) },
          ]),
          's.json',
          hsms,
        ),
      'ERR_TOKEN_NOT_SIGNED',
      `Token 2 of 3 (unsigned ${issued[1]}) in s.json is not signed`,
    );
    const wrapped = sig(2).replace(/(.{76})/g, '$1\n'); // what `base64` without -w0 prints
    for (const bad of [
      wrapped,
      sig(2).slice(0, -4),
      Buffer.alloc(512).toString('base64'),
      sig(2).replace(/=*$/, ''),
    ]) {
      expectError(
        () =>
          matchSignatures(
            doc([
              { unsigned: issued[0]!, signed: sig(1) },
              { unsigned: issued[1]!, signed: bad },
              { unsigned: issued[2]!, signed: sig(3) },
            ]),
            's.json',
            hsms,
          ),
        'ERR_TOKEN_BAD_SIGNED',
        `Token 2 of 3 (unsigned ${issued[1]}) in s.json: "signed" is not base64 (one line, as base64 -w0 prints it) of a 256-byte RSA-2048 signature`,
      );
    }
  });
});

describe('localhsm token sign / verify with openssl keys', () => {
  let dir: string;
  before(() => {
    dir = tempDir('localhsm-token-');
    bash(
      'openssl genrsa -out officer1.key 2048 2>/dev/null && openssl rsa -in officer1.key -pubout -out officer1.pub 2>/dev/null',
      dir,
    );
    bash(
      'openssl genrsa -out other.key 2048 2>/dev/null && openssl rsa -in other.key -pubout -out other.pub 2>/dev/null',
      dir,
    );
    bash(
      'openssl genrsa -aes256 -passout pass:secret-pass -out enc.key 2048 2>/dev/null && echo secret-pass > enc.pass && echo wrong > wrong.pass',
      dir,
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => path.join(dir, name);

  it("signs the seed's token file byte for byte like the openssl recipe of the docs, written 0600", async () => {
    fs.writeFileSync(file('tokens.json'), SEED_UNSIGNED, { mode: 0o644 });
    const run = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('tokens.json'),
      '--private-key',
      file('officer1.key'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `Signed 3 MFA token(s) into ${file('tokens.json')}\n`);
    assert.equal(run.stderr, '');
    assert.equal(fs.statSync(file('tokens.json')).mode & 0o777, 0o600);
    const signed = JSON.parse(fs.readFileSync(file('tokens.json'), 'utf8'));
    for (const [i, t] of (signed.tokens as { unsigned: string; signed: string }[]).entries()) {
      const n = i + 1;
      // The seed's own steps: echo | base64 -d | openssl pkeyutl -sign -pkeyopt digest:sha256 | base64 -w0.
      bash(`echo "${t.unsigned}" > token${n}.b64 && base64 -d token${n}.b64 > token${n}.bin`, dir);
      bash(
        `openssl pkeyutl -sign -inkey officer1.key -pkeyopt digest:sha256 -keyform PEM -in token${n}.bin -out token${n}.sig.bin`,
        dir,
      );
      assert.equal(t.signed, bash(`base64 -w0 token${n}.sig.bin`, dir), `token ${n}`);
    }
    const verify = await runLocalhsm([
      'token',
      'verify',
      '--token',
      file('tokens.json'),
      '--public-key',
      file('officer1.pub'),
    ]);
    assert.equal(verify.code, 0);
    assert.equal(
      verify.stdout,
      [
        'token 1 of 3 (unsigned Vtf/9QOFY45v/E1osvpEMr59JsnP/hLDm4ItOO2vqL8=): verified',
        'token 2 of 3 (unsigned wVbC0/5IKwjyZK2NBpdFLyI7BiayZ24YcdUdlcxLwZ4=): verified',
        'token 3 of 3 (unsigned z6aW9RzErJBL5KqFG5h8lhTVt9oLbxppjod0Ebysydw=): verified',
        `3 of 3 token(s) verify with ${file('officer1.pub')}`,
        '',
      ].join('\n'),
    );
    const wrongKey = await runLocalhsm([
      'token',
      'verify',
      '--token',
      file('tokens.json'),
      '--public-key',
      file('other.pub'),
    ]);
    assert.equal(wrongKey.code, 1);
    assert.match(
      wrongKey.stdout,
      /^token 1 of 3 \(unsigned Vtf\/9QOFY45v\/E1osvpEMr59JsnP\/hLDm4ItOO2vqL8=\): FAILED: the signature does not verify with this key$/m,
    );
    assert.match(wrongKey.stdout, /^0 of 3 token\(s\) verify with /m);
  });

  it('verifies signatures made by openssl and names the tokens that fail (re-hash, wrapped base64, missing)', async () => {
    const tokens = [0, 1, 2, 3].map(() => crypto.randomBytes(32));
    const openssl = (t: Buffer, n: number) => {
      fs.writeFileSync(file(`v${n}.bin`), t);
      bash(
        `openssl pkeyutl -sign -inkey officer1.key -pkeyopt digest:sha256 -in v${n}.bin -out v${n}.sig`,
        dir,
      );
      return fs.readFileSync(file(`v${n}.sig`));
    };
    const key = crypto.createPrivateKey(fs.readFileSync(file('officer1.key')));
    const doc = {
      version: '2.0',
      tokens: [
        { unsigned: tokens[0]!.toString('base64'), signed: openssl(tokens[0]!, 0).toString('base64') },
        // The PKCS#11 / library mistake: hashing the token again (sha256WithRSAEncryption over the token).
        {
          unsigned: tokens[1]!.toString('base64'),
          signed: crypto.sign('sha256', tokens[1]!, key).toString('base64'),
        },
        // `base64` without -w0 wraps at 76 columns.
        {
          unsigned: tokens[2]!.toString('base64'),
          signed: openssl(tokens[2]!, 2)
            .toString('base64')
            .replace(/(.{76})/g, '$1\n'),
        },
        { unsigned: tokens[3]!.toString('base64'), signed: '' },
      ],
    };
    fs.writeFileSync(file('mixed.json'), JSON.stringify(doc, null, 2));
    const run = await runLocalhsm([
      'token',
      'verify',
      '--token',
      file('mixed.json'),
      '--public-key',
      file('officer1.pub'),
      '--json',
    ]);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(
      report.tokens.map((t: { status: string; detail: string }) => [t.status, t.detail]),
      [
        ['verified', 'verified'],
        ['invalid', 'the signature does not verify with this key'],
        ['malformed', '"signed" is not strict base64 (one line, as base64 -w0 prints it)'],
        ['unsigned', 'not signed'],
      ],
    );
    assert.equal(report.verified, 1);
    assert.equal(report.total, 4);
    assert.equal(report.kind, 'mfa');
  });

  it('signs a registration file into --out, keeping its other fields, and leaves the input alone', async () => {
    fs.writeFileSync(file('reg.json'), JSON.stringify(REGISTRATION, null, 2));
    const run = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('reg.json'),
      '--private-key',
      file('officer1.key'),
      '--out',
      file('reg-signed.json'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `Signed 1 registration token(s) into ${file('reg-signed.json')}\n`);
    assert.deepEqual(JSON.parse(fs.readFileSync(file('reg.json'), 'utf8')), REGISTRATION);
    const signed = JSON.parse(fs.readFileSync(file('reg-signed.json'), 'utf8'));
    assert.deepEqual({ ...signed, tokens: [{ ...signed.tokens[0], signed: '' }] }, REGISTRATION);
    // For a registration token, unsigned = SHA-256(approval_data): the signature is a plain sha256WithRSA one over approval_data.
    const approvalData = Buffer.from(REGISTRATION.tokens[0]!.approval_data, 'base64');
    const pub = crypto.createPublicKey(fs.readFileSync(file('officer1.pub')));
    assert.ok(crypto.verify('sha256', approvalData, pub, Buffer.from(signed.tokens[0].signed, 'base64')));
    const verify = await runLocalhsm([
      'token',
      'verify',
      '--token',
      file('reg-signed.json'),
      '--public-key',
      file('officer1.pub'),
    ]);
    assert.equal(verify.code, 0, verify.stdout);
  });

  it('uses an encrypted key with --passphrase-file and explains what is wrong otherwise, never printing key material', async () => {
    fs.writeFileSync(file('t.json'), SEED_UNSIGNED);
    const args = ['token', 'sign', '--token', file('t.json'), '--private-key', file('enc.key')];
    const missing = await runLocalhsm(args);
    assert.deepEqual(
      [missing.code, missing.stdout, missing.stderr],
      [
        1,
        '',
        `error: Cannot use the private key ${file('enc.key')}: it is encrypted and no passphrase was given\n`,
      ],
    );
    const wrong = await runLocalhsm([...args, '--passphrase-file', file('wrong.pass')]);
    assert.deepEqual(
      [wrong.code, wrong.stderr],
      [1, `error: Cannot use the private key ${file('enc.key')}: the passphrase does not decrypt it\n`],
    );
    const ok = await runLocalhsm([...args, '--passphrase-file', file('enc.pass')]);
    assert.equal(ok.code, 0, ok.stderr);
    bash('openssl rsa -in enc.key -passin file:enc.pass -pubout -out enc.pub 2>/dev/null', dir);
    assert.equal(
      (await runLocalhsm(['token', 'verify', '--token', file('t.json'), '--public-key', file('enc.pub')]))
        .code,
      0,
    );

    const asPublic = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('t.json'),
      '--private-key',
      file('officer1.pub'),
    ]);
    assert.equal(
      asPublic.stderr,
      `error: Cannot use the private key ${file('officer1.pub')}: it is a public key; token-sign needs the private key\n`,
    );
    bash('openssl ecparam -name prime256v1 -genkey -noout -out ec.key 2>/dev/null', dir);
    const ec = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('t.json'),
      '--private-key',
      file('ec.key'),
    ]);
    assert.equal(
      ec.stderr,
      `error: Cannot use the private key ${file('ec.key')}: it is a ec key; token-sign needs an RSA key\n`,
    );
    const absent = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('nope.json'),
      '--private-key',
      file('officer1.key'),
    ]);
    assert.equal(absent.stderr, `error: Cannot read ${file('nope.json')}: no such file or directory\n`);
    for (const run of [missing, wrong, asPublic, ec])
      assert.doesNotMatch(run.stderr + run.stdout, /BEGIN|MII/);
  });

  it('warns when signing with a key CloudHSM would not register', async () => {
    bash('openssl genrsa -out k1024.key 1024 2>/dev/null', dir);
    fs.writeFileSync(file('t3.json'), SEED_UNSIGNED);
    const run = await runLocalhsm([
      'token',
      'sign',
      '--token',
      file('t3.json'),
      '--private-key',
      file('k1024.key'),
    ]);
    assert.equal(run.code, 0);
    assert.equal(
      run.stderr,
      `warning: ${file('k1024.key')} is an RSA 1024-bit key; CloudHSM registers only RSA 2048-bit keys for MFA and quorum\n`,
    );
  });
});
