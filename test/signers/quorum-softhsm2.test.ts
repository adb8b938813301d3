// Quorum with an approver whose key lives only in SoftHSM2: the quorum key registered from the token
// (registration file signed by `localhsm token sign --pkcs11-*`, public key from `token pubkey`), then an
// approval signed by `localhsm quorum approve --pkcs11-*` lets an admin create a user (M = 2).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type TestCluster, startActivatedCluster } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';
import { registerQuorumKey } from '../helpers/quorum-cli.js';
import { rsaKeys } from '../helpers/quorum.js';
import { openShell } from '../helpers/shell.js';
import { type SoftHsm, createSoftHsm } from '../helpers/softhsm.js';

const TOKEN = 'officer2';
const PIN = 'officer2-pin';
const ADMIN2_PW = 'admin2-pass-1';

describe('quorum approval signed from SoftHSM2', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let hsm: SoftHsm;
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const pkcs11 = () => [
    '--pkcs11-module',
    hsm.module,
    '--pkcs11-token',
    TOKEN,
    '--key-label',
    'admin2-quorum',
  ];
  const [adminKey, otherKey] = rsaKeys(2);

  before(async () => {
    hsm = createSoftHsm();
    dir = hsm.dir;
    hsm.initToken(TOKEN, PIN);
    await hsm.generateKey(TOKEN, PIN, { label: 'admin2-quorum' });
    fs.writeFileSync(file('pin'), `${PIN}\n`, { mode: 0o600 });
    fs.writeFileSync(file('wrong-pin'), 'officer2-nope\n', { mode: 0o600 });
    fs.writeFileSync(file('admin.key'), adminKey!.privatePem, { mode: 0o600 });
    fs.writeFileSync(file('other.key'), otherKey!.privatePem, { mode: 0o600 });
    cluster = await startActivatedCluster({ hsms: 2 });
    const admin = (...args: string[]) => cluster.as('admin', 'admin', ADMIN_PASSWORD, args);
    assert.equal(
      (await admin('user', 'create', '--username', 'admin2', '--role', 'admin', '--password', ADMIN2_PW)).json
        ?.error_code,
      0,
    );
    await registerQuorumKey(cluster, 'admin', ADMIN_PASSWORD, adminKey!);

    // admin2 registers the key on the token: the registration file (one token per HSM) is signed by the token.
    const exported = await runLocalhsm([
      'token',
      'pubkey',
      ...pkcs11(),
      '--pin-file',
      file('pin'),
      '--out',
      file('admin2.pub'),
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    const shell = openShell(cluster.dir);
    try {
      assert.equal(
        (await shell.run(`login --username admin2 --role admin --password ${ADMIN2_PW}`)).error_code,
        0,
      );
      const generated = await shell.run(
        `quorum token-sign generate --service registration --token ${file('reg.json')}`,
      );
      assert.equal(generated.error_code, 0, JSON.stringify(generated));
      const signed = await runLocalhsm([
        'token',
        'sign',
        '--token',
        file('reg.json'),
        ...pkcs11(),
        '--pin-file',
        file('pin'),
      ]);
      assert.deepEqual(
        [signed.code, signed.stdout],
        [0, `Signed 1 registration token(s) into ${file('reg.json')}\n`],
      );
      const registered = await shell.run(
        `user change-quorum token-sign register --public-key ${file('admin2.pub')} --signed-token ${file('reg.json')}`,
      );
      assert.deepEqual(registered, { error_code: 0, data: { username: 'admin2', role: 'admin' } });
    } finally {
      await shell.close();
    }
    const quorum = await admin(
      'quorum',
      'token-sign',
      'set-quorum-value',
      '--service',
      'user',
      '--value',
      '2',
    );
    assert.equal(quorum.json?.error_code, 0, quorum.stdout);
  });
  after(async () => {
    await cluster?.close();
    hsm?.close();
  });

  it('admin2 approves from the token (a wrong PIN or a wrong external signer changes nothing); the user is created', async () => {
    const shell = openShell(cluster.dir);
    try {
      assert.equal(
        (await shell.run(`login --username admin --role admin --password ${ADMIN_PASSWORD}`)).error_code,
        0,
      );
      const approval = file('approval.json');
      assert.equal(
        (await shell.run(`quorum token-sign generate --service user --token ${approval}`)).error_code,
        0,
      );
      const approve = (args: string[]) => runLocalhsm(['quorum', 'approve', '--token', approval, ...args]);

      const self = await approve(['--username', 'admin', '--private-key', file('admin.key')]);
      assert.equal(self.code, 0, self.stderr);
      const before = fs.readFileSync(approval);

      const wrongPin = await approve(['--username', 'admin2', ...pkcs11(), '--pin-file', file('wrong-pin')]);
      assert.deepEqual([wrongPin.code, wrongPin.stderr], [1, `error: PIN incorrect for token ${TOKEN}\n`]);
      const wrongSigner = await approve([
        '--username',
        'admin2',
        '--sign-command',
        `openssl pkeyutl -sign -inkey ${file('other.key')} -pkeyopt digest:sha256`,
        '--public-key',
        file('admin2.pub'),
      ]);
      assert.equal(wrongSigner.code, 1);
      assert.match(
        wrongSigner.stderr,
        /^error: The signature made by the --sign-command for token 1 of 1 \(unsigned \S+\) does not verify with its public key SHA256:[0-9a-f]{16}; nothing was written or sent\n$/,
      );
      assert.deepEqual(fs.readFileSync(approval), before, 'the refused attempts wrote nothing');

      const tooFew = await shell.run(
        `user create --username bob --role crypto-user --password bob-pass-1 --approval ${approval}`,
      );
      assert.deepEqual(tooFew, {
        error_code: 1,
        data: 'Too few quorum approvals: currently 1 approvals, but 2 approvals required',
      });
      // The first attempt consumed nothing (too few approvals); admin2 now signs from the token.
      const fromToken = await approve(['--username', 'admin2', ...pkcs11(), '--pin-file', file('pin')]);
      assert.deepEqual(
        [fromToken.code, fromToken.stdout],
        [0, `Added the signature of admin2 to ${approval} (2 signatures)\n`],
      );
      const created = await shell.run(
        `user create --username bob --role crypto-user --password bob-pass-1 --approval ${approval}`,
      );
      assert.deepEqual(created, { error_code: 0, data: { username: 'bob', role: 'crypto-user' } });
    } finally {
      await shell.close();
    }
  });
});
