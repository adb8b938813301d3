// File modes: state directory 0700, secrets 0600; wider existing ones are reported and tightened.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { serveHsm } from '../../src/hsm/serve.js';
import { createCluster, ensurePrivateDir } from '../../src/localhsm/cluster-manager.js';
import { tempDir } from '../helpers/cluster.js';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('file modes', () => {
  it('a new cluster has a 0700 state directory and 0600 secrets', async () => {
    const dir = path.join(tempDir(), 'state');
    try {
      ensurePrivateDir(dir, () => assert.fail('no warning for a new directory'));
      await createCluster(dir, { hsms: 1, kdf: 'fast', basePort: 0 });
      const hsm = paths(dir).hsm(readManifest(dir).hsms[0]!.id);
      assert.equal(modeOf(dir), 0o700);
      for (const file of [paths(dir).caKey, paths(dir).manifest, hsm.db, hsm.key])
        assert.equal(modeOf(file), 0o600, file);
      assert.equal(modeOf(hsm.dir), 0o700);
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('an existing wider state directory is reported and set to 0700', () => {
    const dir = tempDir();
    try {
      fs.chmodSync(dir, 0o755);
      const warnings: string[] = [];
      ensurePrivateDir(dir, (w) => warnings.push(w));
      assert.deepEqual(warnings, [`warning: ${dir} was accessible to other users (mode 0755); set to 0700`]);
      assert.equal(modeOf(dir), 0o700);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a node reports and tightens a world-readable database and key before serving', async () => {
    const dir = tempDir();
    try {
      await createCluster(dir, { hsms: 1, kdf: 'fast', basePort: 0 });
      const hsm = readManifest(dir).hsms[0]!;
      const files = paths(dir).hsm(hsm.id);
      fs.chmodSync(files.db, 0o644);
      fs.chmodSync(files.key, 0o644);
      const log: string[] = [];
      const node = await serveHsm({
        dataDir: files.dir,
        host: hsm.host,
        port: hsm.port,
        log: (l) => log.push(l),
      });
      await node.stop();
      assert.ok(
        log.includes(`warning: ${files.db} was accessible to other users (mode 0644); set to 0600`),
        log.join('\n'),
      );
      assert.ok(log.includes(`warning: ${files.key} was accessible to other users (mode 0644); set to 0600`));
      assert.equal(modeOf(files.db), 0o600);
      assert.equal(modeOf(files.key), 0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
