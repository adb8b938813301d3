// localhsm quorum approve / merge: signing approval files as approvers, merging approvals, using them on a cluster.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { localhsmMain } from '../../src/localhsm/main.js';
import { newApprovalFile } from '../../src/tokens/approval-file.js';
import { parseTokenSignPublicKey, verifyTokenSignature } from '../../src/tokens/token-sign.js';
import { ADMIN_PASSWORD, startActivatedCluster, tempDir, type TestCluster } from '../helpers/cluster.js';
import { registerQuorumKey } from '../helpers/quorum-cli.js';
import { rsaKeys } from '../helpers/quorum.js';
import { openShell } from '../helpers/shell.js';

async function localhsm(
  args: string[],
  input = '',
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const stdin = Readable.from([input]) as Readable & { isTTY?: boolean };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exitCode = await localhsmMain(args, {}, { stdin, stdout, stderr });
  return { exitCode, stdout: out, stderr: err };
}

const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('localhsm quorum approve', () => {
  const dir = tempDir();
  const [k2, k3] = rsaKeys(2);
  const key2 = path.join(dir, 'admin2.key');
  const key3 = path.join(dir, 'admin3.key');
  before(() => {
    fs.writeFileSync(key2, k2!.privatePem);
    fs.writeFileSync(key3, k3!.privatePem);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const newToken = (name: string, extra: Record<string, unknown> = {}) => {
    const file = path.join(dir, name);
    fs.writeFileSync(
      file,
      JSON.stringify({ ...newApprovalFile(crypto.randomBytes(240)), ...extra }, null, 2),
    );
    return file;
  };

  it('appends a verifiable signature entry and writes the file 0600', async () => {
    const file = newToken('t1.json');
    fs.chmodSync(file, 0o644);
    const run = await localhsm([
      'quorum',
      'approve',
      '--token',
      file,
      '--username',
      'Admin2',
      '--private-key',
      key2,
    ]);
    assert.deepEqual(run, {
      exitCode: 0,
      stdout: `Added the signature of admin2 to ${file} (1 signature)\n`,
      // No cluster where it looked (the test's working directory): signed, and said unchecked.
      stderr: `note: the signature was not checked against admin2's registered quorum key: no cluster in ${path.resolve('.localhsm')} (--state, LOCALHSM_STATE or ./.localhsm)\n`,
    });
    const json = read(file);
    assert.deepEqual(Object.keys(json), ['version', 'approval_data', 'token', 'signatures']);
    assert.equal(json.signatures.length, 1);
    assert.equal(json.signatures[0].username, 'admin2');
    const ok = verifyTokenSignature(
      parseTokenSignPublicKey(k2!.publicPem),
      Buffer.from(json.token, 'base64'),
      Buffer.from(json.signatures[0].signature, 'base64'),
    );
    assert.equal(ok, true);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    const again = await localhsm([
      'quorum',
      'approve',
      '--token',
      file,
      '--username',
      'admin2',
      '--private-key',
      key2,
    ]);
    assert.deepEqual(again, {
      exitCode: 1,
      stdout: '',
      stderr: `error: ${file} already holds a signature by admin2 (--replace swaps it)\n`,
    });
    const third = await localhsm([
      'quorum',
      'approve',
      '--token',
      file,
      '--username',
      'admin3',
      '--private-key',
      key3,
    ]);
    assert.equal(third.stdout, `Added the signature of admin3 to ${file} (2 signatures)\n`);
  });

  it("fills a placeholder entry and keeps members it does not know (a real cluster's file)", async () => {
    const file = newToken('t2.json', {
      service: 'key-usage',
      key_reference: '0x0000000000000abc',
      signatures: [{ username: 'admin3', role: 'admin', signature: '' }],
    });
    const run = await localhsm([
      'quorum',
      'approve',
      '--token',
      file,
      '--username',
      'admin3',
      '--private-key',
      key3,
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    const json = read(file);
    assert.equal(json.service, 'key-usage');
    assert.equal(json.key_reference, '0x0000000000000abc');
    assert.equal(json.signatures.length, 1);
    assert.equal(json.signatures[0].role, 'admin');
    assert.notEqual(json.signatures[0].signature, '');
  });

  it('signs exactly as the openssl recipe does', async () => {
    const file = newToken('t3.json');
    const pem = path.join(dir, 'openssl.key');
    execFileSync('openssl', ['genrsa', '-out', pem, '2048'], { stdio: 'ignore' });
    assert.equal(
      (await localhsm(['quorum', 'approve', '--token', file, '--username', 'admin2', '--private-key', pem]))
        .exitCode,
      0,
    );
    const json = read(file);
    const tokenBin = path.join(dir, 'token.bin');
    fs.writeFileSync(tokenBin, Buffer.from(json.token, 'base64'));
    const sig = execFileSync('openssl', [
      'pkeyutl',
      '-sign',
      '-inkey',
      pem,
      '-pkeyopt',
      'digest:sha256',
      '-keyform',
      'PEM',
      '-in',
      tokenBin,
    ]);
    assert.equal(json.signatures[0].signature, sig.toString('base64'));
  });

  it('asks for the pass phrase of an encrypted key, and refuses wrong keys with clear texts', async () => {
    const file = newToken('t4.json');
    const enc = path.join(dir, 'enc.key');
    fs.writeFileSync(
      enc,
      k2!.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'sesame-123',
      }),
    );
    const wrong = await localhsm(
      ['quorum', 'approve', '--token', file, '--username', 'admin2', '--private-key', enc],
      'nope\n',
    );
    assert.equal(
      wrong.stderr,
      `Enter pass phrase for ${enc}:\nerror: Invalid private key ${enc}: wrong pass phrase\n`,
    );
    const ok = await localhsm(
      ['quorum', 'approve', '--token', file, '--username', 'admin2', '--private-key', enc],
      'sesame-123\n',
    );
    assert.equal(ok.exitCode, 0, ok.stderr);

    const small = path.join(dir, 'small.key');
    fs.writeFileSync(
      small,
      crypto
        .generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const weak = await localhsm([
      'quorum',
      'approve',
      '--token',
      file,
      '--username',
      'admin3',
      '--private-key',
      small,
    ]);
    assert.equal(
      weak.stderr,
      `error: Invalid private key ${small}: it is RSA 1024-bit; an RSA 2048-bit key is required\n`,
    );
    const notKey = await localhsm([
      'quorum',
      'approve',
      '--token',
      file,
      '--username',
      'admin3',
      '--private-key',
      file,
    ]);
    assert.equal(notKey.stderr, `error: Invalid private key ${file}: it is not a PEM private key\n`);
    const badUser = await localhsm([
      'quorum',
      'approve',
      '--token',
      file,
      '--username',
      'ad-min',
      '--private-key',
      key3,
    ]);
    assert.match(badUser.stderr, /^error: Invalid username 'ad-min'/);
    const registration = path.join(dir, 'reg.json');
    fs.writeFileSync(registration, JSON.stringify({ version: '2.0', tokens: [] }));
    const reg = await localhsm([
      'quorum',
      'approve',
      '--token',
      registration,
      '--username',
      'admin3',
      '--private-key',
      key3,
    ]);
    assert.match(reg.stderr, /it holds tokens\[\] \(a registration or MFA token file\)/);
  });
});

describe('localhsm quorum merge', () => {
  const dir = tempDir();
  const [k2, k3] = rsaKeys(2);
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('combines separately signed copies, deduplicating identical entries', async () => {
    const base = path.join(dir, 'base.json');
    fs.writeFileSync(base, JSON.stringify({ ...newApprovalFile(crypto.randomBytes(160)), note: 'kept' }));
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    const keyFile = (name: string, pem: string) => (
      fs.writeFileSync(path.join(dir, name), pem),
      path.join(dir, name)
    );
    fs.copyFileSync(base, a);
    fs.copyFileSync(base, b);
    await localhsm([
      'quorum',
      'approve',
      '--token',
      a,
      '--username',
      'admin2',
      '--private-key',
      keyFile('k2', k2!.privatePem),
    ]);
    await localhsm([
      'quorum',
      'approve',
      '--token',
      b,
      '--username',
      'admin2',
      '--private-key',
      path.join(dir, 'k2'),
    ]);
    await localhsm([
      'quorum',
      'approve',
      '--token',
      b,
      '--username',
      'admin3',
      '--private-key',
      keyFile('k3', k3!.privatePem),
    ]);
    const out = path.join(dir, 'merged.json');
    const run = await localhsm(['quorum', 'merge', a, b, '-o', out]);
    assert.deepEqual(run, {
      exitCode: 0,
      stdout: `Merged 2 files into ${out} (2 signatures: admin2, admin3)\n`,
      stderr: '',
    });
    const merged = read(out);
    assert.equal(merged.note, 'kept');
    assert.deepEqual(
      merged.signatures.map((s: { username: string }) => s.username),
      ['admin2', 'admin3'],
    );
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);

    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify(newApprovalFile(crypto.randomBytes(160))));
    const mismatch = await localhsm(['quorum', 'merge', a, other, '--output', out]);
    assert.deepEqual(mismatch, {
      exitCode: 1,
      stdout: '',
      stderr: `error: Cannot merge ${other}: it holds a different token than ${a}\n`,
    });

    const forged = read(b);
    forged.signatures[1] = { username: 'ADMIN2', signature: forged.signatures[1].signature };
    const c = path.join(dir, 'c.json');
    fs.writeFileSync(c, JSON.stringify(forged));
    const conflict = await localhsm(['quorum', 'merge', a, c, '-o', out]);
    assert.equal(conflict.stderr, `error: Cannot merge: admin2 has different signatures in ${a} and ${c}\n`);
    const none = await localhsm(['quorum', 'merge', '-o', out]);
    assert.equal(none.exitCode, 2);
  });
});

describe('approve and merge against a cluster', () => {
  let cluster: TestCluster;
  const keys = rsaKeys(3);
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
    const admin = (...args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);
    for (const name of ['admin2', 'admin3'])
      await admin('user', 'create', '--username', name, '--role', 'admin', '--password', 'admin-pass-2');
    await registerQuorumKey(cluster, 'admin', ADMIN_PASSWORD, keys[0]!);
    await registerQuorumKey(cluster, 'admin2', 'admin-pass-2', keys[1]!);
    await registerQuorumKey(cluster, 'admin3', 'admin-pass-2', keys[2]!);
    assert.equal(
      (await admin('quorum', 'token-sign', 'set-quorum-value', '--service', 'user', '--value', '2')).json
        ?.error_code,
      0,
    );
  });
  after(() => cluster.close());

  it('checks each approval against the registered key, counts "N of M approvals", and --replace swaps a wrong one (issue 15 item 5)', async () => {
    const shell = openShell(cluster.dir);
    try {
      await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
      const token = path.join(cluster.dir, 'check.json');
      await shell.run(`quorum token-sign generate --service user --token ${token}`);
      const keyFile = (i: number) => {
        const file = path.join(cluster.dir, `check-${i}.key`);
        fs.writeFileSync(file, keys[i]!.privatePem);
        return file;
      };
      const approve = (username: string, key: string, ...more: string[]) =>
        localhsm([
          'quorum',
          'approve',
          '--token',
          token,
          '--username',
          username,
          '--private-key',
          key,
          '--state',
          cluster.dir,
          ...more,
        ]);
      // admin3's key given as admin2's: refused before anything is written.
      const before = fs.readFileSync(token, 'utf8');
      const wrong = await approve('admin2', keyFile(2));
      assert.deepEqual(wrong, {
        exitCode: 1,
        stdout: '',
        stderr: `error: The signature does not verify with admin2's registered quorum key (cluster in ${cluster.dir}); nothing was written. Sign with admin2's own key, or name the cluster of the token with --state\n`,
      });
      assert.equal(fs.readFileSync(token, 'utf8'), before);
      const first = await approve('admin2', keyFile(1));
      assert.deepEqual(first, {
        exitCode: 0,
        stdout: `Added the signature of admin2 to ${token} (1 of 2 approvals)\n`,
        stderr: '',
      });
      // A wrong signature already in the file (signed elsewhere, unchecked): --replace swaps it.
      const json = read(token);
      json.signatures[0].signature = json.signatures[0].signature.replace(/^./, (c: string) =>
        c === 'A' ? 'B' : 'A',
      );
      fs.writeFileSync(token, JSON.stringify(json, null, 2));
      const again = await approve('admin2', keyFile(1));
      assert.equal(again.exitCode, 1);
      assert.match(again.stderr, /already holds a signature by admin2 \(--replace swaps it\)/);
      const replaced = await approve('admin2', keyFile(1), '--replace');
      assert.deepEqual(replaced, {
        exitCode: 0,
        stdout: `Replaced the signature of admin2 in ${token} (1 of 2 approvals)\n`,
        stderr: '',
      });
      const second = await approve('admin3', keyFile(2));
      assert.equal(second.stdout, `Added the signature of admin3 to ${token} (2 of 2 approvals)\n`);
      const ok = await shell.run(
        `user create --username dave --role crypto-user --password dave-pass-1 --approval ${token}`,
      );
      assert.deepEqual(ok, { error_code: 0, data: { username: 'dave', role: 'crypto-user' } });
      // A user the cluster does not know: signed, and said unchecked.
      const stranger = await localhsm([
        'quorum',
        'approve',
        '--token',
        token,
        '--username',
        'nobody',
        '--private-key',
        keyFile(1),
        '--state',
        cluster.dir,
      ]);
      assert.equal(stranger.exitCode, 0);
      assert.equal(
        stranger.stderr,
        `note: the signature was not checked: nobody is not a user in the cluster in ${cluster.dir}\n`,
      );
    } finally {
      await shell.close();
    }
  });

  it('creates a user with approvals signed separately and merged', async () => {
    const shell = openShell(cluster.dir);
    try {
      await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
      const token = path.join(cluster.dir, 'token.json');
      await shell.run(`quorum token-sign generate --service user --token ${token}`);
      const copies = ['admin2', 'admin3'].map((name, i) => {
        const copy = path.join(cluster.dir, `token-${name}.json`);
        fs.copyFileSync(token, copy);
        const keyFile = path.join(cluster.dir, `${name}.key`);
        fs.writeFileSync(keyFile, keys[i + 1]!.privatePem);
        return { name, copy, keyFile };
      });
      for (const c of copies) {
        const run = await localhsm([
          'quorum',
          'approve',
          '--token',
          c.copy,
          '--username',
          c.name,
          '--private-key',
          c.keyFile,
        ]);
        assert.equal(run.exitCode, 0, run.stderr);
      }
      const merged = path.join(cluster.dir, 'approved.json');
      assert.equal(
        (await localhsm(['quorum', 'merge', ...copies.map((c) => c.copy), '-o', merged])).exitCode,
        0,
      );
      const one = await shell.run(
        `user create --username bob --role crypto-user --password bob-pass-1 --approval ${copies[0]!.copy}`,
      );
      assert.deepEqual(one, {
        error_code: 1,
        data: 'Too few quorum approvals: currently 1 approvals, but 2 approvals required',
      });
      const ok = await shell.run(
        `user create --username bob --role crypto-user --password bob-pass-1 --approval ${merged}`,
      );
      assert.deepEqual(ok, { error_code: 0, data: { username: 'bob', role: 'crypto-user' } });
    } finally {
      await shell.close();
    }
  });
});
