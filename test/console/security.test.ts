// The console's security checks through hono's app.request(): Host, Origin, one-time token (single use, expiry),
// idle sessions, CSRF on the fault drills — with an injected clock and a stub cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTENT_SECURITY_POLICY, createConsoleApp } from '../../src/console/app.js';
import { ConsoleSecurity, LOGIN_TOKEN_TTL_MS, SESSION_IDLE_MS } from '../../src/console/security.js';
import type { ConsoleState } from '../../src/console/state.js';

const AUTHORITY = '127.0.0.1:40001';
const ORIGIN = `http://${AUTHORITY}`;
const HSM = { id: 'hsm-aaaaaaaaaaa', host: '127.0.0.1', port: 2223 };

/** The part of ConsoleState the cluster page and the actions read. */
const stubState = {
  manifest: () => ({ version: 1, clusterId: 'cluster-aaaaaaaaaaa', kdf: 'fast', hsms: [HSM] }),
  cluster: async () => ({
    clusterId: 'cluster-aaaaaaaaaaa',
    stateDir: '/nowhere',
    hsms: [
      { id: HSM.id, address: '127.0.0.1:2223', type: 'hsm2m.medium', up: true, activated: true, users: 2 },
    ],
  }),
  upDown: async () => [{ id: HSM.id, up: true }],
} as unknown as ConsoleState;

function setup() {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const security = new ConsoleSecurity(AUTHORITY, () => now);
  const done: string[] = [];
  const app = createConsoleApp({
    state: stubState,
    security,
    actions: {
      stop: async (id) => (done.push(`stop ${id}`), `${id} stopped.`),
      start: async (id) => (done.push(`start ${id}`), `${id} is up.`),
    },
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(`${ORIGIN}${path}`, { headers: { host: AUTHORITY, ...headers } });
  /** Spends a fresh token; returns the session cookie. */
  const login = async () => {
    const res = await get(`/login?token=${security.issueLoginToken()}`, { 'sec-fetch-site': 'none' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };
  return { app, security, clock, get, login, done };
}

describe('console security', () => {
  it('opens a session from the printed token: HttpOnly, SameSite=Strict cookie, redirect without the token', async () => {
    const t = setup();
    const res = await t.get(`/login?token=${t.security.issueLoginToken()}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    const cookie = res.headers.get('set-cookie')!;
    assert.match(cookie, /^localhsm_console=[\w-]+;/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const page = await t.get('/', { cookie: cookie.split(';')[0]! });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /hsm-aaaaaaaaaaa/);
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline/);
  });

  it('refuses a page without a session, and a reused, unknown or expired token', async () => {
    const t = setup();
    assert.equal((await t.get('/')).status, 401);
    assert.equal((await t.get('/users', { cookie: 'localhsm_console=forged' })).status, 401);
    const token = t.security.issueLoginToken();
    assert.equal((await t.get(`/login?token=${token}`)).status, 303);
    const reused = await t.get(`/login?token=${token}`);
    assert.equal(reused.status, 403);
    assert.equal(reused.headers.get('set-cookie'), null);
    assert.equal((await t.get('/login?token=nope')).status, 403);
    assert.equal((await t.get('/login')).status, 403);
    const late = t.security.issueLoginToken();
    t.clock.advance(LOGIN_TOKEN_TTL_MS - 1);
    const inTime = t.security.issueLoginToken();
    t.clock.advance(1);
    assert.equal((await t.get(`/login?token=${late}`)).status, 403);
    assert.equal((await t.get(`/login?token=${inTime}`)).status, 303);
  });

  it('ends a session idle for 30 minutes; use keeps it alive', async () => {
    const t = setup();
    const cookie = await t.login();
    t.clock.advance(SESSION_IDLE_MS - 1);
    assert.equal((await t.get('/', { cookie })).status, 200);
    t.clock.advance(SESSION_IDLE_MS);
    assert.equal((await t.get('/', { cookie })).status, 200);
    t.clock.advance(SESSION_IDLE_MS + 1);
    assert.equal((await t.get('/', { cookie })).status, 401);
  });

  it('refuses a Host other than the printed address (DNS rebinding), even with a valid session', async () => {
    const t = setup();
    const cookie = await t.login();
    for (const host of ['evil.example:40001', 'localhost:40001', '127.0.0.1:40002', '127.0.0.1']) {
      const res = await t.get('/', { cookie, host });
      assert.equal(res.status, 403, host);
      assert.match(await res.text(), /Host header must be 127\.0\.0\.1:40001/);
    }
    const noHost = await t.app.request(`${ORIGIN}/`, { headers: { cookie } });
    assert.equal(noHost.status, 403);
    // Even the login link is refused under another name (a rebinding page cannot spend a token).
    const token = t.security.issueLoginToken();
    assert.equal((await t.get(`/login?token=${token}`, { host: 'evil.example:40001' })).status, 403);
  });

  it('refuses cross-origin requests by Origin or Sec-Fetch-Site', async () => {
    const t = setup();
    const cookie = await t.login();
    assert.equal((await t.get('/', { cookie, origin: 'http://evil.example' })).status, 403);
    assert.equal((await t.get('/', { cookie, origin: 'http://127.0.0.1:40002' })).status, 403);
    assert.equal((await t.get('/', { cookie, 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await t.get('/', { cookie, 'sec-fetch-site': 'same-site' })).status, 403);
    assert.equal((await t.get('/', { cookie, origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).status, 200);
  });

  it('runs hsm stop / start only from a same-origin POST carrying the session CSRF token', async () => {
    const t = setup();
    const cookie = await t.login();
    const confirm = await (await t.get(`/hsm/${HSM.id}/stop`, { cookie })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(confirm)![1]!;
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      t.app.request(`${ORIGIN}${path}`, {
        method: 'POST',
        body,
        headers: {
          host: AUTHORITY,
          cookie,
          origin: ORIGIN,
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
      });
    assert.equal((await post(`/hsm/${HSM.id}/stop`, '')).status, 403);
    assert.equal((await post(`/hsm/${HSM.id}/stop`, 'csrf=wrong')).status, 403);
    assert.equal(
      (await post(`/hsm/${HSM.id}/stop`, `csrf=${csrf}`, { origin: 'http://evil.example' })).status,
      403,
    );
    assert.equal(
      (await post(`/hsm/${HSM.id}/stop`, `csrf=${csrf}`, { cookie: 'localhsm_console=x' })).status,
      401,
    );
    assert.deepEqual(t.done, []);
    const ok = await post(`/hsm/${HSM.id}/stop`, `csrf=${encodeURIComponent(csrf)}`);
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /hsm-aaaaaaaaaaa stopped\./);
    assert.equal((await post(`/hsm/${HSM.id}/start`, `csrf=${encodeURIComponent(csrf)}`)).status, 200);
    assert.equal((await post('/hsm/hsm-zzzzzzzzzzz/start', `csrf=${encodeURIComponent(csrf)}`)).status, 404);
    assert.deepEqual(t.done, [`stop ${HSM.id}`, `start ${HSM.id}`]);
    // Another session's token does not do.
    const other = await t.login();
    assert.equal(
      (await post(`/hsm/${HSM.id}/stop`, `csrf=${encodeURIComponent(csrf)}`, { cookie: other })).status,
      403,
    );
  });

  it('serves its script and stylesheet as files (no inline code in the pages)', async () => {
    const t = setup();
    const js = await t.get('/console.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /javascript/);
    const cookie = await t.login();
    const html = await (await t.get('/', { cookie })).text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]|\son[a-z]+=|<style/);
  });
});
