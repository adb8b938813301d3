// Soak: runs the SIGKILL crash storm for N cycles (default 200) and prints acknowledged / lost counts.
// Usage: npm run build && node dist/bench/soak.js [cycles]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CrashStorm } from '../test/helpers/crash-storm.js';

const cycles = Number(process.argv[2] ?? '200');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localhsm-soak-'));
try {
  const storm = await CrashStorm.create(dir);
  let acknowledged = 0;
  let lost = 0;
  let corrupt = 0;
  for (let i = 1; i <= cycles; i++) {
    const result = await storm.cycle(1 + Math.floor(Math.random() * 40));
    acknowledged += result.acknowledged;
    lost += result.lost.length;
    if (result.integrity !== 'ok') corrupt++;
    for (const line of result.lost) console.error(`cycle ${i}: LOST ${line}`);
    if (i % 10 === 0 || i === cycles)
      console.error(`${i}/${cycles} cycles, ${acknowledged} acknowledged, ${lost} lost`);
  }
  console.log(JSON.stringify({ cycles, acknowledged, lost, corruptFiles: corrupt }));
  process.exitCode = lost === 0 && corrupt === 0 ? 0 : 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
