// Backups carry the keys: the masking key travels encrypted inside the backup, so a restored cluster opens and
// uses every key (openssl verifies a new signature against the original public key); never in clear in the file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paths } from '../../src/cluster/state-dir.js';
import { stopNodes } from '../../src/localhsm/cluster-manager.js';
import {
  ADMIN_PASSWORD,
  type TestCluster,
  runCli,
  startActivatedCluster,
  tempDir,
} from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

const PASS = 'crypto-pass-1';
const ALICE = { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: `alice:${PASS}` };

describe('backups carry the keys', () => {
  let cluster: TestCluster;
  const work = tempDir('backup-keys-');
  before(async () => {
    cluster = await startActivatedCluster({ hsms: 2 });
    const created = await cluster.as('admin', 'admin', ADMIN_PASSWORD, [
      ...['user', 'create', '--username', 'alice', '--role', 'crypto-user', '--password', PASS],
    ]);
    assert.equal(created.json?.error_code, 0, created.stdout);
  });
  after(async () => {
    await cluster.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('backup, restore, sign with a restored key: the original public key verifies (openssl)', async () => {
    const pair = await cluster.as('crypto-user', 'alice', PASS, [
      ...[
        'key',
        'generate-asymmetric-pair',
        'rsa',
        '--public-exponent',
        '65537',
        '--modulus-size-bits',
        '2048',
      ],
      ...['--public-label', 'bk-pub', '--private-label', 'bk-priv', '--private-attributes', 'sign=true'],
    ]);
    assert.equal(pair.json?.error_code, 0, pair.stdout + pair.stderr);
    const pem = path.join(work, 'original.pem');
    const exported = await cluster.as('crypto-user', 'alice', PASS, [
      ...['key', 'generate-file', '--encoding', 'pem', '--path', pem, '--filter', 'attr.label=bk-pub'],
    ]);
    assert.equal(exported.json?.error_code, 0, exported.stdout);

    const file = path.join(work, 'cluster.bak');
    const created = await runLocalhsm(['backup', 'create', '--out', file, '--state', cluster.dir]);
    assert.equal(created.code, 0, created.stderr);
    // The masking key is in the backup only encrypted: neither the file's bytes nor its base64 key appear.
    const maskingText = fs.readFileSync(
      paths(cluster.dir).hsm(cluster.manifest.hsms[0]!.id).maskingKey,
      'utf8',
    );
    const maskingKey = Buffer.from(JSON.parse(maskingText).key as string, 'base64');
    const bytes = fs.readFileSync(file);
    assert.ok(!bytes.includes(maskingKey), 'raw masking key in the backup');
    assert.ok(!bytes.includes(Buffer.from(maskingText.trim())), 'masking key file in the backup');
    assert.ok(!bytes.includes(JSON.parse(maskingText).key as string), 'base64 masking key in the backup');

    const target = path.join(work, 'restored');
    const restored = await runLocalhsm([
      ...['backup', 'restore', file, '--state', target, '--key-file', paths(cluster.dir).backupKey],
      ...['--hsms', '2', '--base-port', '0'],
    ]);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
    const up = await runLocalhsm(['up', '--state', target, '--detach']);
    assert.equal(up.code, 0, up.stderr);
    try {
      const dataFile = path.join(work, 'data.txt');
      fs.writeFileSync(dataFile, 'restored and signing');
      const signed = await runCli(
        [
          ...[
            'crypto',
            'sign',
            'rsa-pkcs',
            '--key-filter',
            'attr.label=bk-priv',
            '--hash-function',
            'sha256',
          ],
          ...['--data-path', dataFile],
        ],
        { state: target, env: ALICE },
      );
      assert.equal(signed.json?.error_code, 0, signed.stdout + signed.stderr);
      const sigFile = path.join(work, 'restored.sig');
      fs.writeFileSync(sigFile, Buffer.from(signed.json!.data.signature as string, 'base64'));
      const out = execFileSync('openssl', [
        ...['dgst', '-sha256', '-verify', pem, '-signature', sigFile, dataFile],
      ]).toString();
      assert.match(out, /Verified OK/);
      // Every HSM of the restored cluster holds the key and can open it.
      const list = await runCli(['key', 'list', '--filter', 'attr.label=bk-priv', '--verbose'], {
        state: target,
        env: ALICE,
      });
      assert.equal(list.json?.error_code, 0, list.stdout);
      assert.equal(list.json!.data.matched_keys[0]['key-info']['cluster-coverage'], 'full');
    } finally {
      await stopNodes(target);
    }
  });
});
