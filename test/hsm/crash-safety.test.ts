// Crash safety: a node killed with SIGKILL mid-storm (user changes and a burst of key creations), 50 times, loses
// no acknowledged change or key, audits every committed change in the same transaction, and keeps a sound file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { CrashStorm } from '../helpers/crash-storm.js';
import { tempDir } from '../helpers/cluster.js';

const CYCLES = 50;

describe('crash safety', () => {
  const dir = tempDir('crash-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged change and key, and the audit entry of every committed one, through ${CYCLES} SIGKILLs`, async () => {
    const storm = await CrashStorm.create(dir, { writers: 3, keyWriters: 2 });
    let acknowledged = 0;
    // Deterministic "random" kill points so a failure can be replayed.
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const result = await storm.cycle(1 + Math.floor(random() * 25));
      assert.equal(result.integrity, 'ok', `cycle ${cycle}`);
      assert.deepEqual(result.lost, [], `cycle ${cycle}`);
      assert.deepEqual(result.unaudited, [], `cycle ${cycle}`);
      acknowledged += result.acknowledged;
    }
    assert.ok(acknowledged >= CYCLES, `only ${acknowledged} acknowledged writes`);
    assert.ok(storm.keysAcknowledged >= CYCLES, `only ${storm.keysAcknowledged} acknowledged keys`);
    // After the last kill, the restarted node lists every key and signs with them.
    assert.deepEqual(await storm.verifyKeysThroughNode(), []);
  });
});
