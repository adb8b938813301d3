// quorum token-sign commands and --approval handling: outputs, validation and error texts on a 2-HSM cluster.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startActivatedCluster, type TestCluster } from '../helpers/cluster.js';
import { rsaKeys } from '../helpers/quorum.js';
import { openShell } from '../helpers/shell.js';
import { signToken } from '../../src/tokens/token-sign.js';

describe('quorum token-sign commands', () => {
  let cluster: TestCluster;
  const admin = (...args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);
  const file = (name: string) => path.join(cluster.dir, name);

  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
  });
  after(() => cluster.close());

  it('lists values, timeouts and the policy without login', async () => {
    assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-quorum-values'])).json, {
      error_code: 0,
      data: { user: 1, quorum: 1, cluster: 1 },
    });
    assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-timeouts'])).json, {
      error_code: 0,
      data: { generated: 600, approved: 600 },
    });
    assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-policy'])).json, {
      error_code: 0,
      data: { 'self-approval': 'on', 'lockout-guard': 'off', 'quorum-guard': 'off' },
    });
  });

  it('shows values that differ between HSMs as inconsistent', async () => {
    cluster.nodes[1]!.node.store.setSetting('quorum_timeout_generated', '900');
    assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-timeouts'])).json!.data, {
      generated: 'inconsistent',
      approved: 600,
    });
    cluster.nodes[1]!.node.store.setSetting('quorum_timeout_generated', '600');
  });

  it('needs a login for generate, list, set-quorum-value, set-timeout and delete', async () => {
    for (const args of [
      ['generate', '--service', 'user', '--token', file('x.json')],
      ['list'],
      ['set-quorum-value', '--service', 'user', '--value', '2'],
      ['set-timeout', '--generated', '60'],
      ['delete', '--scope', 'user'],
    ]) {
      const run = await cluster.cli(['quorum', 'token-sign', ...args]);
      assert.deepEqual(
        run.json,
        { error_code: 1, data: 'You must be logged in to perform this operation' },
        args.join(' '),
      );
    }
    assert.equal(fs.existsSync(file('x.json')), false);
  });

  it('refuses key services, unknown services and bad numbers with clear texts', async () => {
    const key = await admin(
      'quorum',
      'token-sign',
      'generate',
      '--service',
      'key-usage',
      '--token',
      file('k.json'),
    );
    assert.deepEqual(key.json, {
      error_code: 1,
      data: 'Quorum tokens for service key-usage are not supported yet: LocalHSM has no keys',
    });
    const unknown = await admin(
      'quorum',
      'token-sign',
      'generate',
      '--service',
      'users',
      '--token',
      file('k.json'),
    );
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /invalid value 'users' for '--service <SERVICE>'/);
    const value = await admin(
      'quorum',
      'token-sign',
      'set-quorum-value',
      '--service',
      'user',
      '--value',
      '9',
    );
    assert.deepEqual(value.json, {
      error_code: 1,
      data: "Invalid quorum value '9': use 1 (no quorum) or a value from 2 to 8",
    });
    const notNumber = await admin(
      'quorum',
      'token-sign',
      'set-quorum-value',
      '--service',
      'quorum',
      '--value',
      'two',
    );
    assert.deepEqual(notNumber.json, {
      error_code: 1,
      data: "Invalid quorum value 'two': use 1 (no quorum) or a value from 2 to 8",
    });
    const timeout = await admin('quorum', 'token-sign', 'set-timeout', '--approved', '0');
    assert.deepEqual(timeout.json, {
      error_code: 1,
      data: "Invalid token timeout '0': use a whole number of seconds from 1 to 86400",
    });
    const both = await admin('quorum', 'token-sign', 'set-timeout', '--approved', '5', '--generated', '5');
    assert.equal(both.exitCode, 2);
    assert.equal((await admin('quorum', 'token-sign', 'set-timeout')).exitCode, 2);
  });

  it('prints the documented success texts', async () => {
    assert.deepEqual((await admin('quorum', 'token-sign', 'set-timeout', '--generated', '900')).json, {
      error_code: 0,
      data: 'Set token timeout successful',
    });
    assert.deepEqual(
      (await admin('quorum', 'token-sign', 'set-timeout', '--generated', '600')).json!.data,
      'Set token timeout successful',
    );
    assert.deepEqual((await admin('quorum', 'token-sign', 'delete', '--scope', 'all')).json, {
      error_code: 0,
      data: 'Deletion of quorum token(s) successful',
    });
    assert.deepEqual(
      (await admin('quorum', 'token-sign', 'set-quorum-value', '--service', 'cluster', '--value', '1')).json,
      {
        error_code: 0,
        data: 'Set Quorum Value successful',
      },
    );
    assert.deepEqual((await admin('quorum', 'token-sign', 'list')).json, {
      error_code: 0,
      data: { tokens: [] },
    });
  });

  it('explains an unusable --approval file before contacting the HSMs', async () => {
    const run = (approval: string) =>
      admin(
        'user',
        'create',
        '--username',
        'x1',
        '--role',
        'crypto-user',
        '--password',
        'password-1',
        '--approval',
        approval,
      );
    assert.deepEqual((await run(file('missing.json'))).json, {
      error_code: 1,
      data: `Invalid quorum token file ${file('missing.json')}: cannot read it (ENOENT)`,
    });
    const reg = file('reg.json');
    fs.writeFileSync(
      reg,
      JSON.stringify({ version: '2.0', tokens: [{ approval_data: 'AA==', unsigned: '', signed: '' }] }),
    );
    assert.match((await run(reg)).json!.data, /it holds tokens\[\] \(a registration or MFA token file\)/);
    const data = crypto.randomBytes(80);
    const bad = file('bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        version: '2.0',
        approval_data: data.toString('base64'),
        token: crypto.randomBytes(32).toString('base64'),
        signatures: [],
      }),
    );
    assert.equal(
      (await run(bad)).json!.data,
      `Invalid quorum token file ${bad}: token is not the SHA-256 of approval_data`,
    );
    const token = crypto.createHash('sha256').update(data).digest('base64');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        version: '2.0',
        approval_data: data.toString('base64'),
        token,
        signatures: [{ username: 'a', signature: 'not base64!' }],
      }),
    );
    assert.equal(
      (await run(bad)).json!.data,
      `Invalid quorum token file ${bad}: signatures[0].signature is not base64 (one line, no spaces: base64 -w0)`,
    );
    // A well-formed file of tokens these HSMs never issued: ignored while the user quorum is 1 ...
    fs.writeFileSync(
      bad,
      JSON.stringify({ version: '2.0', approval_data: data.toString('base64'), token, signatures: [] }),
    );
    assert.deepEqual((await run(bad)).json, { error_code: 0, data: { username: 'x1', role: 'crypto-user' } });
  });

  it('registers a quorum key only when every HSM verifies its token', async () => {
    const [key, other] = rsaKeys(2);
    const pub = file('admin.pub');
    fs.writeFileSync(pub, key!.publicPem);
    const shell = openShell(cluster.dir);
    try {
      await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
      const tokens = file('registration.json');
      await shell.run(`quorum token-sign generate --service registration --token ${tokens}`);
      const unsigned = await shell.run(
        `user change-quorum token-sign register --public-key ${pub} --signed-token ${tokens}`,
      );
      assert.deepEqual(unsigned, {
        error_code: 1,
        data: `Invalid quorum token file ${tokens}: tokens[0].signed is empty: sign each unsigned value with the private key first`,
      });
      // One entry for the cluster: both HSMs' 80-byte records in one approval_data.
      const written = JSON.parse(fs.readFileSync(tokens, 'utf8'));
      assert.equal(written.tokens.length, 1);
      const data = Buffer.from(written.tokens[0].approval_data, 'base64');
      assert.equal(data.length, 160);
      // The per-HSM file of earlier versions (one entry per record) is still read. Sign the first
      // HSM's entry with the right key and the second's with another: nothing is registered.
      const entry = (record: Buffer, signer: crypto.KeyObject) => {
        const unsigned = crypto.createHash('sha256').update(record).digest();
        return {
          approval_data: record.toString('base64'),
          unsigned: unsigned.toString('base64'),
          signed: signToken(signer, unsigned).toString('base64'),
        };
      };
      const [first, second] = [data.subarray(0, 80), data.subarray(80)];
      const mixed = {
        version: '2.0',
        tokens: [entry(first, key!.privateKey), entry(second, other!.privateKey)],
      };
      fs.writeFileSync(tokens, JSON.stringify(mixed));
      const refused = await shell.run(
        `user change-quorum token-sign register --public-key ${pub} --signed-token ${tokens}`,
      );
      assert.deepEqual(refused, { error_code: 1, data: 'User change quorum failed on 1 of 2 connections' });
      assert.match(
        shell.stderr(),
        /refused: The registration token signature does not verify with the given public key/,
      );
      assert.match(shell.stderr(), /warning: no HSM was changed/);
      assert.ok(cluster.nodes.every((n) => n!.node.store.getUser('admin')!.quorumPublicKey === null));
      mixed.tokens[1] = entry(second, key!.privateKey);
      fs.writeFileSync(tokens, JSON.stringify(mixed));
      const ok = await shell.run(
        `user change-quorum token-sign register --public-key ${pub} --signed-token ${tokens}`,
      );
      assert.deepEqual(ok, { error_code: 0, data: { username: 'admin', role: 'admin' } });
      assert.ok(
        cluster.nodes.every((n) => n!.node.store.getUser('admin')!.quorumPublicKey === key!.publicPem),
      );
      const small = file('small.pub');
      fs.writeFileSync(
        small,
        crypto
          .generateKeyPairSync('rsa', { modulusLength: 1024 })
          .publicKey.export({ type: 'spki', format: 'pem' }),
      );
      assert.deepEqual(
        await shell.run(
          `user change-quorum token-sign register --public-key ${small} --signed-token ${tokens}`,
        ),
        {
          error_code: 1,
          data: 'Invalid public key: it is RSA 1024-bit; an RSA 2048-bit key is required',
        },
      );
    } finally {
      await shell.close();
    }
  });

  it('keeps quorum settings across an HSM restart, but not its tokens', async () => {
    assert.equal(
      (await admin('quorum', 'token-sign', 'set-timeout', '--approved', '120')).json?.error_code,
      0,
    );
    const shell = openShell(cluster.dir);
    try {
      await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
      const token = file('restart.json');
      await shell.run(`quorum token-sign generate --service quorum --token ${token}`);
      assert.equal((await shell.run('quorum token-sign list')).data.tokens[0]['cluster-coverage'], 'full');
      await cluster.stopNode(1);
      await cluster.startNode(1);
      assert.deepEqual((await cluster.cli(['quorum', 'token-sign', 'list-timeouts'])).json!.data, {
        generated: 600,
        approved: 120,
      });
      // The restarted HSM forgot the token (tokens live in memory): the other still lists it.
      const rows = (await cluster.as('admin', 'admin', ADMIN_PASSWORD, ['quorum', 'token-sign', 'list']))
        .json!.data.tokens;
      assert.deepEqual(
        rows.map((r: Record<string, unknown>) => [r.username, r.service, r['cluster-coverage']]),
        [['admin', 'quorum', 'inconsistent']],
      );
    } finally {
      await shell.close();
    }
    assert.equal(
      (await admin('quorum', 'token-sign', 'set-timeout', '--approved', '600')).json?.error_code,
      0,
    );
  });

  it('writes a token covering the HSMs that answered, with a warning for the others', async () => {
    await cluster.stopNode(1);
    try {
      const token = file('partial.json');
      const shell = openShell(cluster.dir);
      try {
        await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`);
        const out = await shell.run(`quorum token-sign generate --service user --token ${token}`);
        assert.deepEqual(out, { error_code: 0, data: { filepath: token } });
        assert.match(
          shell.stderr(),
          /warning: the token covers 1 of 2 HSMs; the others did not answer and will not accept it/,
        );
        assert.equal(
          Buffer.from(JSON.parse(fs.readFileSync(token, 'utf8')).approval_data, 'base64').length,
          80,
        );
      } finally {
        await shell.close();
      }
    } finally {
      await cluster.startNode(1);
    }
  });

  it('has clap-style help naming the services and marking LocalHSM extensions', async () => {
    const help = await cluster.cli(['quorum', 'token-sign', 'generate', '--help']);
    assert.match(
      help.stdout,
      /^Generate a token\n\nUsage: cloudhsm-cli quorum token-sign generate \[OPTIONS\] --service <SERVICE> --token <TOKEN>/,
    );
    assert.match(
      help.stdout,
      /- registration: +Registration service is used for registering a public key for quorum authentication/,
    );
    const group = await cluster.cli(['quorum', 'token-sign', '--help']);
    for (const verb of [
      'delete',
      'generate',
      'list',
      'list-quorum-values',
      'list-timeouts',
      'set-quorum-value',
      'set-timeout',
    ]) {
      assert.match(group.stdout, new RegExp(`\\n  ${verb} `));
    }
    const del = await cluster.cli(['user', 'delete', '--help']);
    assert.match(del.stdout, /--allow-unmanageable\n +\[LocalHSM extension\] /);
  });
});
