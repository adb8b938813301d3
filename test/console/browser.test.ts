// The web console in a real headless Chromium (Debian's chromium through puppeteer-core): the printed URL, the
// users × HSMs matrix of a 3-HSM cluster, live down-marking when another process stops an HSM, a quorum countdown,
// the refusals; it also writes the screenshots docs/console.md embeds.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { HsmConnection } from '../../src/cluster/connection.js';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { tempDir } from '../helpers/cluster.js';
import { LOCALHSM_BIN, ROOT, cleanEnv, downIfPresent, localhsm } from '../helpers/processes.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'docs', 'console');
const SEED = `version: 1
users:
  - { username: admin, role: admin, password: admin-pass-1 }
  - { username: officer, role: admin, password: officer-pass-1 }
  - { username: alice, role: crypto-user, password: alice-pass-1 }
  - { username: bob, role: crypto-user, password: bob-pass-1 }
`;

/** Starts `localhsm console` and reads the URL it prints. */
async function startConsoleProcess(
  state: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [LOCALHSM_BIN, 'console', '--state', state], { env: cleanEnv() });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /LocalHSM console: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`localhsm console exited (${code}): ${err}`)));
  });
  return { child, url };
}

/** A raw HTTP request with headers a browser would not let a page set (Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.once('error', reject);
  });
}

describe('web console in Chromium', { timeout: 180_000 }, () => {
  const work = tempDir('localhsm-console-');
  const state = path.join(work, 'state');
  let browser: Browser;
  let page: Page;
  let consoleProcess: ChildProcessWithoutNullStreams;
  let url: string;
  let origin: string;
  let admin: HsmConnection;

  before(async () => {
    const seed = path.join(work, 'seed.yaml');
    fs.writeFileSync(seed, SEED);
    const up = await localhsm([
      'up',
      '--seed',
      seed,
      '--kdf',
      'fast',
      '--base-port',
      '0',
      '--detach',
      '--state',
      state,
    ]);
    assert.equal(up.exitCode, 0, up.stderr);
    // On the first HSM only: a user the other two lack (inconsistent) and a quorum token, held by this open session.
    const first = readManifest(state).hsms[0]!;
    admin = new HsmConnection(
      { hostname: first.host, port: first.port },
      fs.readFileSync(paths(state).ca, 'utf8'),
    );
    await admin.call('login', { username: 'admin', role: 'admin', password: 'admin-pass-1' });
    await admin.call('user-create', { username: 'carol', role: 'crypto-user', password: 'carol-pass-1' });
    await admin.call('quorum-generate', { service: 'user' });
    ({ child: consoleProcess, url } = await startConsoleProcess(state));
    origin = new URL(url).origin;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 700 });
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    admin?.close();
    await browser?.close();
    consoleProcess?.kill('SIGTERM');
    await downIfPresent(state);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('opens the printed URL, drops the token from the address bar and shows the cluster', async () => {
    const res = await page.goto(url);
    assert.equal(res!.status(), 200);
    assert.equal(page.url(), `${origin}/`);
    const cookies = await browser.cookies();
    const cookie = cookies.find((c) => c.name === 'localhsm_console')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.$$eval('tr[data-hsm]', (rows) => rows.length), 3);
    assert.deepEqual(await page.$$eval('[data-hsm-state]', (els) => els.map((e) => e.textContent)), [
      'up',
      'up',
      'up',
    ]);
    await page.waitForSelector('#live:not(:empty)', { timeout: 5000 });
    await page.screenshot({ path: path.join(SHOTS, 'cluster.png'), fullPage: true });
  });

  it('shows the users × HSMs matrix with the inconsistent user and its repair command', async () => {
    await page.goto(`${origin}/users`);
    const hsms = readManifest(state).hsms.map((h) => h.id);
    assert.deepEqual(
      await page.$$eval('thead th[data-hsm]', (ths) => ths.map((t) => t.getAttribute('data-hsm'))),
      hsms,
    );
    assert.deepEqual(
      await page.$$eval('tr[data-user]', (rows) => rows.map((r) => r.getAttribute('data-user'))),
      ['admin', 'officer', 'alice', 'bob', 'carol', 'app_user'],
    );
    const alice = await page.$$eval('tr[data-user="alice"] td', (tds) =>
      tds.slice(0, 3).map((t) => t.textContent),
    );
    assert.deepEqual(alice, ['crypto-user', 'crypto-user', 'crypto-user']);
    const carol = await page.$eval('tr[data-user="carol"]', (r) => ({
      cells: [...r.querySelectorAll('td')].slice(0, 3).map((t) => `${t.textContent}|${t.className}`),
      repair: r.querySelector('code.copy')?.textContent,
    }));
    assert.deepEqual(carol.cells, ['crypto-user|', 'missing|missing odd', 'missing|missing odd']);
    assert.match(carol.repair!, /^user create --username carol --role crypto-user/);
    await page.screenshot({ path: path.join(SHOTS, 'users.png'), fullPage: true });
  });

  it('counts a quorum token down on the quorum page', async () => {
    await page.goto(`${origin}/quorum`);
    const row = await page.$eval('#tokens tr.token', (r) =>
      [...r.querySelectorAll('td')].map((t) => t.textContent),
    );
    assert.deepEqual(row.slice(1, 4), ['user', 'admin', '0 of 1']);
    const first = await page.$eval('.countdown', (e) => e.textContent!);
    assert.match(first, /^\d+:\d\d left$/);
    await page.waitForFunction(
      (before: string) => document.querySelector('.countdown')?.textContent !== before,
      { timeout: 5000 },
      first,
    );
    await page.screenshot({ path: path.join(SHOTS, 'quorum.png'), fullPage: true });
  });

  it('shows the audit and keys pages', async () => {
    await page.goto(`${origin}/audit`);
    assert.match(await page.$eval('main', (m) => m.textContent!), /intact/);
    await page.screenshot({ path: path.join(SHOTS, 'audit.png'), fullPage: true });
    await page.goto(`${origin}/audit?user=carol`);
    assert.ok((await page.$$eval('section tbody tr', (rows) => rows.length)) >= 1);
    await page.goto(`${origin}/keys`);
    await page.screenshot({ path: path.join(SHOTS, 'keys.png'), fullPage: true });
  });

  it('marks an HSM down live when another process stops it', async () => {
    await page.goto(`${origin}/users`);
    await page.waitForSelector('#live:not(:empty)', { timeout: 5000 });
    const target = readManifest(state).hsms[2]!.id;
    const stop = await localhsm(['hsm', 'stop', '--hsm', target, '--state', state]);
    assert.equal(stop.exitCode, 0, stop.stderr);
    await page.waitForSelector(`thead th[data-hsm="${target}"].down`, { timeout: 2000 });
    // The third HSM's column: every user's cell in it says so.
    assert.deepEqual(
      await page.$$eval('tr[data-user]', (rows) => rows.map((r) => r.querySelectorAll('td')[2]!.textContent)),
      Array(6).fill('HSM down'),
    );
  });

  it('stops an HSM from the cluster page behind a confirmation, recorded in its audit log', async () => {
    const target = readManifest(state).hsms[1]!.id;
    await page.goto(`${origin}/`);
    await Promise.all([page.waitForNavigation(), page.click(`tr[data-hsm="${target}"] a.button`)]);
    assert.match(page.url(), new RegExp(`/hsm/${target}/stop$`));
    await page.screenshot({ path: path.join(SHOTS, 'confirm-stop.png') });
    await Promise.all([page.waitForNavigation(), page.click('form button[type="submit"]')]);
    assert.match(await page.$eval('main', (m) => m.textContent!), new RegExp(`${target} stopped\\.`));
    const tail = await localhsm(['audit', 'tail', '--hsm', target, '--state', state]);
    assert.match(tail.stdout, new RegExp(`console-hsm-stop\\s+${target}\\s+ok`));
    const verify = await localhsm(['audit', 'verify', '--hsm', target, '--state', state]);
    assert.equal(verify.exitCode, 0, verify.stdout);
  });

  it('refuses a reused token, a foreign Host or Origin, and a POST without the CSRF token', async () => {
    assert.equal((await page.goto(url))!.status(), 403);
    const cookie = (await browser.cookies()).find((c) => c.name === 'localhsm_console')!;
    const session = `localhsm_console=${cookie.value}`;
    const port = new URL(url).port;
    assert.equal(await rawGet(`${origin}/users`, { cookie: session }), 200);
    assert.equal(await rawGet(`${origin}/users`, { cookie: session, host: `evil.example:${port}` }), 403);
    assert.equal(await rawGet(`${origin}/users`, { cookie: session, origin: 'http://evil.example' }), 403);
    await page.goto(`${origin}/`);
    const target = readManifest(state).hsms[0]!.id;
    const status = await page.evaluate(
      async (id: string) =>
        (await fetch(`/hsm/${id}/stop`, { method: 'POST', body: new URLSearchParams({ other: 'x' }) }))
          .status,
      target,
    );
    assert.equal(status, 403);
    // The HSM is still up.
    assert.equal(await page.$eval(`[data-hsm-state="${target}"]`, (e) => e.textContent), 'up');
  });
});
