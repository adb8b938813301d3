// A real node process: its environment holds no operator secret, and an unread flood of replies is bounded.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { FrameDecoder } from '../../src/protocol/frames.js';
import { tempDir } from '../helpers/cluster.js';
import { downIfPresent, localhsm } from '../helpers/processes.js';

const SECRETS = {
  CLOUDHSM_ROLE: 'admin',
  CLOUDHSM_PIN: 'admin:Env-secret-pw-1',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-in-env',
  LOCALHSM_DEBUG: '1',
};
const USERS = 300;
const REQUESTS = 10_000;
const MiB = 1024 * 1024;

const status = (pid: number) => fs.readFileSync(`/proc/${pid}/status`, 'utf8');
const kib = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status(pid))![1]);
const cpuTicks = (pid: number) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a detached node process', () => {
  let root: string;
  let state: string;
  let pid: number;
  let port: number;
  let ca: string;

  before(async () => {
    root = tempDir('localhsm-limits-');
    state = path.join(root, 'state');
    const users = [{ username: 'admin', role: 'admin', password: 'admin-pass-1' }];
    for (let i = 0; i < USERS; i++)
      users.push({ username: `user_${i}`, role: 'crypto-user', password: 'user-pass-1' });
    const seed = path.join(root, 'seed.json');
    fs.writeFileSync(seed, JSON.stringify({ users }));
    const args = ['up', '--hsms', '1', '--seed', seed, '--kdf', 'fast', '--base-port', '0', '--detach'];
    const up = await localhsm([...args, '--state', state], { env: SECRETS });
    assert.equal(up.exitCode, 0, up.stderr);
    const hsm = readManifest(state).hsms[0]!;
    pid = Number(fs.readFileSync(paths(state).hsm(hsm.id).pid, 'utf8').trim());
    port = hsm.port;
    ca = fs.readFileSync(paths(state).ca, 'utf8');
  });
  after(async () => {
    await downIfPresent(state);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("gets none of the operator's secrets in its environment", () => {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const names = environ.map((e) => e.slice(0, e.indexOf('=')));
    for (const secret of ['CLOUDHSM_ROLE', 'CLOUDHSM_PIN', 'AWS_SECRET_ACCESS_KEY']) {
      assert.ok(!names.includes(secret), `${secret} in ${names.join(' ')}`);
    }
    assert.ok(!environ.some((e) => e.includes('Env-secret-pw-1') || e.includes('aws-secret-in-env')));
    assert.ok(names.includes('PATH') && names.includes('LOCALHSM_DEBUG'), names.join(' '));
  });

  it('writes its own node.log, which it rotates', () => {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const hsm = readManifest(state).hsms[0]!;
    assert.equal(argv[argv.indexOf('--log') + 1], paths(state).hsm(hsm.id).log);
    assert.match(fs.readFileSync(paths(state).hsm(hsm.id).log, 'utf8'), /serving TLS on/);
  });

  it(`stays within 64 MiB more RSS under ${REQUESTS} pipelined user-list requests it cannot send back`, async () => {
    const before = kib(pid, 'VmRSS');
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM, the peak RSS, to the current RSS
    const socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, ca }, () => resolve(s));
      s.once('error', reject);
    });
    socket.pause();
    const body = Buffer.from(JSON.stringify({ v: 1, id: 1, op: 'user-list', args: {} }));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    socket.write(Buffer.concat(Array<Buffer>(REQUESTS).fill(Buffer.concat([header, body]))));
    // Until the node has done what it will do without a reader: its CPU time stops moving (or it has
    // already grown past the bound). Sampled, never timed.
    let grown = 0;
    for (let still = 0, last = -1, i = 0; still < 5 && i < 300; i++) {
      await pause(200);
      grown = kib(pid, 'VmRSS') - before;
      if (grown > 64 * 1024) break;
      const ticks = cpuTicks(pid);
      still = ticks === last ? still + 1 : 0;
      last = ticks;
    }
    const peak = kib(pid, 'VmHWM') - before;
    if (peak > 64 * 1024) socket.destroy();
    assert.ok(peak <= 64 * 1024, `node peak RSS grew by ${Math.round(peak / 1024)} MiB while unread`);
    // Reading again, every reply arrives: the node resumed as its replies drained.
    const decoder = new FrameDecoder(64 * MiB);
    let replies = 0;
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        replies += decoder.push(chunk).filter((e) => e.kind === 'frame').length;
        if (replies === REQUESTS) resolve();
      });
      socket.once('close', () => reject(new Error(`closed after ${replies} replies`)));
      socket.resume();
    });
    socket.destroy();
    console.log(
      `${REQUESTS} unread user-list requests (${USERS + 1} users, replies ${Math.round(bytes / MiB)} MiB): node RSS ${Math.round(before / 1024)} MiB, peak +${Math.round(peak / 1024)} MiB`,
    );
  });
});
