// The state directory's files a cluster shares with its clones: carried inside the encrypted backup, written by
// restore only under the listed names.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeBackup, encodeBackup } from '../../src/localhsm/backup-file.js';
import { readSharedFiles, unknownSharedFile, writeSharedFiles } from '../../src/localhsm/shared-files.js';
import { tempDir } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

const HEADER = {
  clusterId: 'cluster-aaaaaaaaaaa',
  hsmId: 'hsm-aaaaaaaaaaa',
  createdAt: '2026-01-01T00:00:00Z',
};
const LISTED = ['masking.key', 'other.secret'];

describe('clone-shared files of the state directory', () => {
  const work = tempDir('shared-files-');
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  const key = crypto.randomBytes(32);
  const database = Buffer.from('SQLite format 3\0 pretend database');
  const secret = crypto.randomBytes(32);

  it('travel encrypted inside the backup and come out as they went in', () => {
    const bytes = encodeBackup(HEADER, database, key, [{ name: 'masking.key', data: secret }]);
    assert.ok(!bytes.includes(secret), 'the shared file is encrypted');
    const decoded = decodeBackup('x.bak', bytes, { key });
    assert.deepEqual(decoded.database, database);
    assert.deepEqual(decoded.files, [{ name: 'masking.key', data: secret }]);
  });

  it('a backup without shared files has the same header as before (no files field)', () => {
    const bytes = encodeBackup(HEADER, database, key);
    const head = bytes.subarray(0, bytes.indexOf(0x0a, 20)).toString('utf8');
    assert.ok(!head.includes('files'), head);
    assert.deepEqual(decodeBackup('x.bak', bytes, { key }).files, []);
  });

  it('a changed byte of a shared file does not verify', () => {
    const bytes = encodeBackup(HEADER, database, key, [{ name: 'masking.key', data: secret }]);
    bytes[bytes.length - 20]! ^= 1;
    assert.throws(() => decodeBackup('x.bak', bytes, { key }), /does not verify under the backup key/);
  });

  it('are read when present and written 0600 only under a listed name', () => {
    const from = path.join(work, 'from');
    const to = path.join(work, 'to');
    fs.mkdirSync(from);
    fs.mkdirSync(to);
    fs.writeFileSync(path.join(from, 'masking.key'), secret, { mode: 0o600 });
    const files = readSharedFiles(from, LISTED);
    assert.deepEqual(files, [{ name: 'masking.key', data: secret }]);
    writeSharedFiles(to, files, LISTED);
    assert.deepEqual(fs.readFileSync(path.join(to, 'masking.key')), secret);
    assert.equal(fs.statSync(path.join(to, 'masking.key')).mode & 0o777, 0o600);
    assert.equal(unknownSharedFile([{ name: 'backup.key' }], LISTED), 'backup.key');
    assert.throws(() => writeSharedFiles(to, [{ name: 'backup.key', data: secret }], LISTED));
    assert.ok(!fs.existsSync(path.join(to, 'backup.key')));
  });

  it('restore refuses a backup carrying a file this LocalHSM does not list, before writing anything', async () => {
    const file = path.join(work, 'foreign.bak');
    const keyFile = path.join(work, 'backup.key');
    fs.writeFileSync(keyFile, `localhsm-backup-key v1 ${key.toString('hex')}\n`, { mode: 0o600 });
    fs.writeFileSync(file, encodeBackup(HEADER, database, key, [{ name: 'customerca.key', data: secret }]));
    const target = path.join(work, 'restored');
    const run = await runLocalhsm(['backup', 'restore', file, '--state', target, '--key-file', keyFile]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /carries a state file this LocalHSM does not know \(customerca\.key\)/);
    assert.ok(!fs.existsSync(target));
  });
});
