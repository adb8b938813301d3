// Measurement helpers for the benchmarks: repeated runs, medians, throughput loops, child processes.
import { spawn, spawnSync } from 'node:child_process';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds taken by fn, median of `runs` runs. */
export async function timeMedian(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** Operations per second of a synchronous fn over `seconds`. */
export function throughput(seconds: number, fn: () => void): number {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let count = 0;
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 100; i++) fn();
    count += 100;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Wall time (ms) of a whole process run. */
export function runProcess(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: 'ignore', env });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

/** Medians of two commands measured alternately, so machine noise hits both alike. */
export async function alternate(
  runs: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[number, number]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return [median(as), median(bs)];
}

/** `openssl speed -seconds S rsa2048` verify/s on this machine. */
export function opensslRsa2048VerifyPerSecond(seconds: number): number {
  const out = spawnSync('openssl', ['speed', '-seconds', String(seconds), 'rsa2048'], {
    encoding: 'utf8',
  }).stdout;
  const line = out.split('\n').find((l) => /^rsa\s+2048 bits/.test(l));
  if (!line) throw new Error('could not read openssl speed output');
  return Number(line.trim().split(/\s+/).pop());
}

/** `openssl speed -seconds S <algorithm>` sign/s on this machine (one core): rsa2048, ecdsap256. */
export function opensslSignPerSecond(algorithm: 'rsa2048' | 'ecdsap256', seconds: number): number {
  const out = spawnSync('openssl', ['speed', '-seconds', String(seconds), algorithm], {
    encoding: 'utf8',
  }).stdout;
  const row = algorithm === 'rsa2048' ? /^rsa\s+2048 bits/ : /^\s*256 bits ecdsa \(nistp256\)/;
  const line = out.split('\n').find((l) => row.test(l));
  if (!line) throw new Error(`could not read openssl speed ${algorithm} output`);
  // Columns: time per sign, time per verify, sign/s, verify/s.
  return Number(line.trim().split(/\s+/).at(-2));
}
