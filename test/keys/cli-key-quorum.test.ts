// Key quorum end to end on a 3-HSM cluster: two crypto users register quorum keys, a key-usage token is approved
// with `localhsm quorum approve` twice, `crypto sign --approval` signs once and openssl verifies the signature;
// approved signatures and `key unwrap --approval` use the token up on every HSM and are audited there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type TestCluster, startActivatedCluster, tempDir } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';
import { rsaKeys } from '../helpers/quorum.js';
import { type InteractiveShell, openShell } from '../helpers/shell.js';
import { addApproval, signRegistrationFile } from '../helpers/token-files.js';

const PASS = 'crypto-pass-1';
const USERS = ['alice', 'bob'] as const;

describe('key quorum through cloudhsm-cli and localhsm quorum approve (3 HSMs)', () => {
  let c: TestCluster;
  let shell: InteractiveShell | undefined;
  const work = tempDir('localhsm-key-quorum-');
  const file = (name: string) => path.join(work, name);
  const pairs = rsaKeys(2);

  before(async () => {
    c = await startActivatedCluster({ hsms: 3 });
    for (const u of USERS) {
      const r = await c.as('admin', 'admin', ADMIN_PASSWORD, [
        'user',
        'create',
        '--username',
        u,
        '--role',
        'crypto-user',
        '--password',
        PASS,
      ]);
      assert.equal(r.json?.error_code, 0, r.stdout);
    }
    USERS.forEach((u, i) => {
      fs.writeFileSync(file(`${u}.key`), pairs[i]!.privatePem);
      fs.writeFileSync(file(`${u}.pub`), pairs[i]!.publicPem);
    });
  });
  after(async () => {
    await shell?.close();
    await c.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const run = async (s: InteractiveShell, line: string) => {
    const out = await s.run(line);
    assert.equal(out.error_code, 0, `${line}: ${JSON.stringify(out.data)}`);
    return out.data as any;
  };

  it('registers a quorum key for the owner and the shared user', async () => {
    for (const [i, u] of USERS.entries()) {
      const s = openShell(c.dir);
      try {
        await run(s, `login --username ${u} --role crypto-user --password ${PASS}`);
        const token = file(`${u}-registration.json`);
        await run(s, `quorum token-sign generate --service registration --token ${token}`);
        signRegistrationFile(token, pairs[i]!.privateKey);
        assert.deepEqual(
          await run(
            s,
            `user change-quorum token-sign register --public-key ${file(`${u}.pub`)} --signed-token ${token}`,
          ),
          { username: u, role: 'crypto-user' },
        );
      } finally {
        await s.close();
      }
    }
  });

  it('signs with a use-key quorum of 2 only with a token approved by both, once; openssl verifies', async () => {
    shell = openShell(c.dir);
    await run(shell, `login --username alice --role crypto-user --password ${PASS}`);
    const pair = await run(
      shell,
      'key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 ' +
        '--public-label q-pub --private-label q-priv --public-attributes verify=true ' +
        '--private-attributes sign=true --share-crypto-users bob ' +
        '--manage-private-key-quorum-value 2 --use-private-key-quorum-value 2',
    );
    const ref = pair.private_key['key-reference'];
    assert.deepEqual(pair.private_key['key-info']['key-quorum-values'], {
      'manage-key-quorum-value': 2,
      'use-key-quorum-value': 2,
    });
    const sign = 'crypto sign rsa-pkcs --key-filter attr.label=q-priv --hash-function sha256 --data YWJjMTIz';
    assert.deepEqual(await shell.run(sign), { error_code: 1, data: 'Quorum Failed' });

    const token = file('usage.json');
    assert.deepEqual(
      await run(
        shell,
        `quorum token-sign generate --service key-usage --token ${token} --filter attr.label=q-priv`,
      ),
      { filepath: token },
    );
    const unsigned = JSON.parse(fs.readFileSync(token, 'utf8'));
    assert.deepEqual(Object.keys(unsigned), [
      'version',
      'service',
      'key_reference',
      'approval_data',
      'token',
      'signatures',
    ]);
    assert.deepEqual([unsigned.service, unsigned.key_reference], ['key-usage', ref]);
    assert.equal(Buffer.from(unsigned.approval_data, 'base64').length, 3 * 80);

    const listed = await run(shell, 'quorum token-sign list');
    assert.equal(listed.tokens.length, 1);
    assert.deepEqual(
      { ...listed.tokens[0], 'token-timeout-seconds': 'n' },
      {
        username: 'alice',
        service: 'key-usage',
        'key-reference': ref,
        'approvals-required': 2,
        'number-of-approvals': 0,
        'token-timeout-seconds': 'n',
        'cluster-coverage': 'full',
      },
    );

    const approve = async (u: string) => {
      const r = await runLocalhsm([
        'quorum',
        'approve',
        '--token',
        token,
        '--username',
        u,
        '--private-key',
        file(`${u}.key`),
      ]);
      assert.equal(r.code, 0, r.stderr);
    };
    await approve('alice');
    assert.deepEqual(await shell.run(`${sign} --approval ${token}`), {
      error_code: 1,
      data: 'Too few quorum approvals: currently 1 approvals, but 2 approvals required',
    });
    await approve('bob');
    const signed = await run(shell, `${sign} --approval ${token}`);
    assert.equal(signed['key-reference'], ref);
    assert.deepEqual(await shell.run(`${sign} --approval ${token}`), {
      error_code: 1,
      data: 'Invalid username-signature pair for quorum authorization',
    });
    assert.deepEqual((await run(shell, 'quorum token-sign list')).tokens, []);

    const pem = file('q.pem');
    await run(shell, `key generate-file --encoding pem --path ${pem} --filter attr.label=q-pub`);
    fs.writeFileSync(file('data.txt'), 'abc123');
    fs.writeFileSync(file('q.sig'), Buffer.from(signed.signature, 'base64'));
    const out = execFileSync('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      pem,
      '-signature',
      file('q.sig'),
      file('data.txt'),
    ]).toString();
    assert.match(out, /Verified OK/);
  });

  it('changes an attribute of the key with a key-management approval', async () => {
    const set = 'key set-attribute --filter attr.label=q-priv --name label --value q-renamed';
    assert.deepEqual(await shell!.run(set), { error_code: 1, data: 'Quorum Failed' });
    const token = file('manage.json');
    await run(
      shell!,
      `quorum token-sign generate --service key-management --token ${token} --filter attr.label=q-priv`,
    );
    for (const u of USERS) {
      const r = await runLocalhsm([
        'quorum',
        'approve',
        '--token',
        token,
        '--username',
        u,
        '--private-key',
        file(`${u}.key`),
      ]);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.deepEqual(await run(shell!, `${set} --approval ${token}`), {
      message: 'Attribute set successfully',
    });
    const listed = await run(shell!, 'key list --filter attr.label=q-renamed');
    assert.equal(listed.total_key_count, 1);
  });
});

describe('approved key operations reach every HSM and the audit log (3 HSMs)', () => {
  let c: TestCluster;
  const work = tempDir('localhsm-key-quorum-audit-');
  const file = (name: string) => path.join(work, name);
  const pairs = rsaKeys(2);
  let shell: InteractiveShell;

  const run = async (line: string) => {
    const out = await shell.run(line);
    assert.equal(out.error_code, 0, `${line}: ${JSON.stringify(out.data)}`);
    return out.data as any;
  };
  /** A key-management or key-usage token of alice's session for `label`, approved by alice and bob. */
  const approved = async (service: string, label: string, name: string) => {
    const token = file(name);
    await run(
      `quorum token-sign generate --service ${service} --token ${token} --filter attr.label=${label}`,
    );
    USERS.forEach((u, i) => addApproval(token, u, pairs[i]!.privateKey));
    return token;
  };
  /** Every HSM's audit entries for `operation`, as `target result`. */
  const audited = (operation: string) =>
    c.nodes.map((n) =>
      n!.node.store
        .listAudit(10_000)
        .filter((e) => e.operation === operation)
        .map((e) => `${e.actor} ${e.target} ${e.result}`),
    );

  before(async () => {
    c = await startActivatedCluster({ hsms: 3 });
    for (const [i, u] of USERS.entries()) {
      const r = await c.as('admin', 'admin', ADMIN_PASSWORD, [
        ...['user', 'create', '--username', u, '--role', 'crypto-user', '--password', PASS],
      ]);
      assert.equal(r.json?.error_code, 0, r.stdout);
      const s = openShell(c.dir);
      try {
        const login = await s.run(`login --username ${u} --role crypto-user --password ${PASS}`);
        assert.equal(login.error_code, 0);
        const token = file(`${u}-registration.json`);
        assert.equal(
          (await s.run(`quorum token-sign generate --service registration --token ${token}`)).error_code,
          0,
        );
        signRegistrationFile(token, pairs[i]!.privateKey);
        fs.writeFileSync(file(`${u}.pub`), pairs[i]!.publicPem);
        const registered = await s.run(
          `user change-quorum token-sign register --public-key ${file(`${u}.pub`)} --signed-token ${token}`,
        );
        assert.equal(registered.error_code, 0, JSON.stringify(registered.data));
      } finally {
        await s.close();
      }
    }
    shell = openShell(c.dir);
    await run(`login --username alice --role crypto-user --password ${PASS}`);
  });
  after(async () => {
    await shell.close();
    await c.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('an approved signature is audited on every HSM with the key reference; a refused one too, a plain one not', async () => {
    const pair = await run(
      'key generate-asymmetric-pair ec --curve secp256r1 --public-label s-pub --private-label s-priv ' +
        '--private-attributes sign=true --share-crypto-users bob ' +
        '--manage-private-key-quorum-value 2 --use-private-key-quorum-value 2',
    );
    const ref = pair.private_key['key-reference'];
    const sign = 'crypto sign ecdsa --key-filter attr.label=s-priv --hash-function sha256 --data YWJj';
    assert.deepEqual(await shell.run(sign), { error_code: 1, data: 'Quorum Failed' });
    const token = await approved('key-usage', 's-priv', 'usage.json');
    const signed = await run(`${sign} --approval ${token}`);
    assert.equal(signed['key-reference'], ref);
    // Every HSM that signed (and used up its record of the token) says so; the refusal without approval was
    // answered by one HSM.
    const entries = audited('crypto-sign');
    for (const [i, hsm] of entries.entries())
      assert.ok(hsm.includes(`alice ${ref} ok`), `HSM ${i}: ${JSON.stringify(hsm)}`);
    assert.equal(entries.flat().filter((e) => e === `alice ${ref} ERR_KEY_QUORUM_FAILED`).length, 1);
    // A key without a use quorum signs unaudited (the hot path), as before.
    await run(
      'key generate-asymmetric-pair ec --curve secp256r1 --public-label p-pub --private-label p-priv --private-attributes sign=true',
    );
    await run('crypto sign ecdsa --key-filter attr.label=p-priv --hash-function sha256 --data YWJj');
    assert.equal(audited('crypto-sign').flat().length, entries.flat().length);
    const text = JSON.stringify(c.nodes.map((n) => n!.node.store.listAudit(10_000)));
    assert.ok(!text.includes(signed.signature), 'no signature in the audit');
  });

  it('key unwrap --approval: the new key is on every HSM, the token is used up on every HSM, each audits it', async () => {
    await run(
      'key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 ' +
        '--public-label u-pub --private-label u-priv --private-attributes unwrap=true --share-crypto-users bob ' +
        '--manage-private-key-quorum-value 2 --use-private-key-quorum-value 2',
    );
    const pem = file('u-pub.pem');
    await run(`key generate-file --encoding pem --path ${pem} --filter attr.label=u-pub`);
    const secret = crypto.randomBytes(32);
    const wrapped = crypto.publicEncrypt(
      {
        key: fs.readFileSync(pem, 'utf8'),
        padding: crypto.constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      secret,
    );
    const unwrap =
      'key unwrap rsa-oaep --filter attr.label=u-priv --hash-function sha256 --mgf mgf1-sha256 ' +
      `--key-type-class aes --label unwrapped --data ${wrapped.toString('base64')}`;
    assert.deepEqual(await shell.run(unwrap), { error_code: 1, data: 'Quorum Failed' });
    const token = await approved('key-management', 'u-priv', 'manage.json');
    const { key } = await run(`${unwrap} --approval ${token}`);
    const unwrapping = (await run('key list --filter attr.label=u-priv')).matched_keys[0]['key-reference'];
    const ref = key['key-reference'];
    assert.equal(key['key-info']['cluster-coverage'], 'full');
    const kcv = crypto.createCipheriv('aes-256-ecb', secret, null).update(Buffer.alloc(16)).subarray(0, 3);
    assert.equal(key.attributes['check-value'], `0x${kcv.toString('hex')}`);
    for (const node of c.nodes) assert.equal(node!.node.store.getKey(Number(ref))?.label, 'unwrapped');
    // Used up everywhere: no HSM lists it any more, and no HSM takes it again.
    assert.deepEqual((await run('quorum token-sign list')).tokens, []);
    assert.deepEqual(await shell.run(`${unwrap.replace('unwrapped', 'again')} --approval ${token}`), {
      error_code: 1,
      data: 'Invalid username-signature pair for quorum authorization',
    });
    // Each HSM audits the new key: the one that unwrapped it (new key, then the unwrapping key), the others that
    // took its copy with the approval.
    const unwrapped = audited('key-unwrap').flat();
    assert.equal(
      unwrapped.filter((e) => e === `alice ${ref} ${unwrapping} ok`).length,
      1,
      unwrapped.join('; '),
    );
    const copied = audited('key-insert').map((hsm) => hsm.filter((e) => e === `alice ${ref} ok`).length);
    assert.deepEqual(copied.sort(), [0, 1, 1]);
    const text = JSON.stringify(c.nodes.map((n) => n!.node.store.listAudit(10_000)));
    for (const secretText of [secret.toString('hex'), secret.toString('base64'), wrapped.toString('base64')])
      assert.ok(!text.includes(secretText), 'no key material in the audit');
  });
});
