// Long work shows progress (issue 15 item 10): backup create / restore say on stderr what they are doing, HSM by
// HSM; stdout and the exit status stay what scripts read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClusterManifest, paths, readManifest } from '../../src/cluster/state-dir.js';
import { createCluster } from '../../src/localhsm/cluster-manager.js';
import { tempDir } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

describe('backup progress on stderr', () => {
  let work: string;
  let source: string;
  let manifest: ClusterManifest;
  let file: string;
  before(async () => {
    work = tempDir('backup-progress-');
    source = path.join(work, 'source');
    fs.mkdirSync(source, { mode: 0o700 });
    manifest = await createCluster(source, { hsms: 3, kdf: 'fast', basePort: 0 });
    file = path.join(work, 'cluster.bak');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('backup create: which HSM of how many, then the encryption; stdout is its one line', async () => {
    const hsm = manifest.hsms[1]!;
    const run = await runLocalhsm(['backup', 'create', '--out', file, '--hsm', hsm.id, '--state', source]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      `Backed up ${hsm.id} of ${manifest.clusterId} to ${file} (${fs.statSync(file).size} bytes).\n`,
    );
    const lines = run.stderr.split('\n');
    assert.equal(lines[0], `Backing up HSM 2 of 3 (${hsm.id}): copying its state ...`);
    assert.match(lines[1]!, /^Encrypting \d+ bytes of state with the cluster's backup key \.\.\.$/);
  });

  it('backup restore: verifying, then a line per restored HSM before it is made; stdout is its two lines', async () => {
    const target = path.join(work, 'restored');
    const run = await runLocalhsm([
      ...['backup', 'restore', file, '--state', target, '--hsms', '3', '--base-port', '0'],
      ...['--key-file', paths(source).backupKey],
    ]);
    assert.equal(run.code, 0, run.stderr);
    const restored = readManifest(target);
    assert.match(
      run.stdout,
      new RegExp(
        `^Restored the backup of ${manifest.hsms[1]!.id} \\(${manifest.clusterId}, [^)]+\\) into new cluster ${restored.clusterId}\\.\\n` +
          `Start it with: localhsm up --state ${target}\\n$`,
      ),
    );
    const lines = run.stderr.split('\n');
    assert.equal(lines[0], `Verifying ${file} (${fs.statSync(file).size} bytes) ...`);
    const steps = lines.filter((l) => l.startsWith('Restoring HSM '));
    assert.deepEqual(
      steps,
      restored.hsms.map(
        (h, i) => `Restoring HSM ${i + 1} of 3 (${h.id}) from the backup of ${manifest.hsms[1]!.id} ...`,
      ),
    );
  });
});
