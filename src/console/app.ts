// The console's HTTP application (hono): security checks first, then the pages, the live-update stream and the
// two fault-drill actions. Transport-free, so tests drive it with app.request().
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import {
  auditPage,
  clusterPage,
  confirmPage,
  keysPage,
  layout,
  messagePage,
  quorumPage,
  usersPage,
} from './pages.js';
import { type ConsoleSecurity, type ConsoleSession, SESSION_COOKIE, SESSION_IDLE_MS } from './security.js';
import type { ConsoleState } from './state.js';

/** The fault drills the console may run (localhsm hsm stop / start), each recorded in the HSM's audit log. */
export interface HsmActions {
  stop(hsmId: string): Promise<string>;
  start(hsmId: string): Promise<string>;
}

export interface ConsoleOptions {
  state: ConsoleState;
  security: ConsoleSecurity;
  actions: HsmActions;
  /** How often the live stream asks the HSMs whether they answer (ms). */
  pollMs?: number;
}

/** Locks pages to their own origin: no inline code, no framing, no other hosts, no referrer carrying a token. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

type Env = { Variables: { session: ConsoleSession } };

const AUDIT_LINES = 50;

export function createConsoleApp(options: ConsoleOptions): Hono<Env> {
  const { state, security, actions } = options;
  const pollMs = options.pollMs ?? 500;
  const watcher = new UpDownWatcher(state, Math.max(100, pollMs - 100));
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    const refused = security.refusal(c.req.raw.headers);
    if (refused) return c.text(`Refused: ${refused}\n`, 403);
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    // same-origin, not no-referrer: with no-referrer a form POST carries `Origin: null`, which the origin check refuses.
    c.header('Referrer-Policy', 'same-origin');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    return undefined;
  });

  app.get('/console.css', (c) => c.body(CONSOLE_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/console.js', (c) =>
    c.body(CONSOLE_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );

  app.get('/favicon.ico', (c) => c.body(null, 204));

  // The printed URL: spends its token, sets the session cookie and drops the token from the address bar.
  app.get('/login', (c) => {
    const session = security.redeem(c.req.query('token'));
    if (!session)
      return c.html(
        messagePage(
          'Link used or expired',
          'This console link works once, within 5 minutes. Run localhsm console again for a new one.',
        ),
        403,
      );
    setCookie(c, SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: SESSION_IDLE_MS / 1000,
    });
    return c.redirect('/', 303);
  });

  app.use('*', async (c, next) => {
    const session = security.session(getCookie(c, SESSION_COOKIE), c.req.path !== '/events');
    if (!session)
      return c.html(
        messagePage(
          'Not signed in',
          'Open the URL that localhsm console printed (its one-time token starts a session; a session ends after 30 minutes without use).',
        ),
        401,
      );
    c.set('session', session);
    await next();
    return undefined;
  });

  const page = async (title: string, path: string, body: string) =>
    layout(title, path, state.manifest().clusterId, body);

  app.get('/', async (c) => c.html(await page('Cluster', '/', clusterPage(await state.cluster()))));
  app.get('/users', async (c) =>
    c.html(await page('Users × HSMs', '/users', usersPage(await state.users()))),
  );
  app.get('/quorum', async (c) => c.html(await page('Quorum', '/quorum', quorumPage(await state.quorum()))));
  app.get('/keys', async (c) => c.html(await page('Keys × HSMs', '/keys', keysPage(state.keys()))));
  app.get('/audit', async (c) => {
    const filter = {
      user: c.req.query('user')?.trim() || undefined,
      operation: c.req.query('operation')?.trim() || undefined,
    };
    const audit = state.audit({ ...filter, limit: AUDIT_LINES });
    return c.html(await page('Audit', '/audit', auditPage(audit, filter)));
  });

  app.get('/events', (c) => {
    const session = c.get('session');
    return streamSSE(c, async (stream) => {
      let last = '';
      while (!stream.aborted && security.session(session.id, false)) {
        const data = JSON.stringify(await watcher.read());
        if (data !== last) {
          await stream.writeSSE({ event: 'hsms', data });
          last = data;
        }
        await stream.sleep(pollMs);
      }
    });
  });

  const hsmOf = (id: string) => state.manifest().hsms.find((h) => h.id === id);
  for (const action of ['stop', 'start'] as const) {
    app.get(`/hsm/:id/${action}`, async (c) => {
      const hsm = hsmOf(c.req.param('id'));
      if (!hsm)
        return c.html(messagePage('No such HSM', `${c.req.param('id')} is not in this cluster.`), 404);
      const title = `${action === 'stop' ? 'Stop' : 'Start'} ${hsm.id}`;
      return c.html(await page(title, '', confirmPage(hsm, action, c.get('session').csrf)));
    });
    app.post(`/hsm/:id/${action}`, async (c) => {
      const form = await c.req.parseBody();
      const csrf = typeof form.csrf === 'string' ? form.csrf : undefined;
      if (!security.csrfMatches(c.get('session'), csrf))
        return c.html(
          messagePage('Refused', 'The form is missing its CSRF token; go back and try again.'),
          403,
        );
      const hsm = hsmOf(c.req.param('id'));
      if (!hsm)
        return c.html(messagePage('No such HSM', `${c.req.param('id')} is not in this cluster.`), 404);
      const said = await actions[action](hsm.id);
      watcher.invalidate();
      return c.html(
        await page(
          said,
          '',
          `<p>${said.replace(/[&<>"']/g, '')}</p><p><a href="/">Back to the cluster</a></p>`,
        ),
      );
    });
  }

  app.onError((error, c) =>
    c.html(messagePage('Error', (error as Error).message || 'The console could not read the cluster'), 500),
  );
  return app;
}

/** Which HSMs answer, read at most once per interval however many pages are open. */
class UpDownWatcher {
  private cached: { at: number; value: Promise<{ id: string; up: boolean }[]> } | undefined;

  constructor(
    private readonly state: ConsoleState,
    private readonly maxAgeMs: number,
  ) {}

  read(): Promise<{ id: string; up: boolean }[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.maxAgeMs)
      this.cached = { at: now, value: this.state.upDown() };
    return this.cached.value;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
