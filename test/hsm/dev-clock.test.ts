// The dev clock on the node: dev-clock-get / dev-clock-set only on HSMs created with it; the moved time is what
// token timeouts and idle sessions see, and it survives a restart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HsmNode } from '../../src/hsm/node.js';
import { devClockSecretHash } from '../../src/hsm/dev-clock.js';
import { testKeyPair } from '../helpers/keys.js';
import { NODE_ADMIN_PASSWORD, makeNode, refusal, success } from '../helpers/node.js';

const SECRET = 'a'.repeat(64);
const DEV = { dev_clock: 'on', dev_clock_secret_sha256: devClockSecretHash(SECRET) };

describe('dev clock (node)', () => {
  it('is refused on an HSM created without --dev-clock, logged in as admin or not', async () => {
    const { node, send, loginSession } = await makeNode({ activated: true });
    const admin = await loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    for (const session of [node.openSession(), admin]) {
      for (const [op, args] of [
        ['dev-clock-get', {}],
        ['dev-clock-set', { offsetMs: 60_000 }],
      ] as const) {
        assert.deepEqual(refusal(await send(session, op, args)), {
          code: 'ERR_DEV_CLOCK_OFF',
          message:
            'The clock of this HSM cannot be moved: the cluster was not created with localhsm up --dev-clock',
          params: {},
        });
      }
    }
    assert.equal(node.devClock, undefined);
  });

  it('moves the time token expiry and idle sessions use; the offset is persisted', async () => {
    const { node, store, clock, send, loginSession } = await makeNode({
      activated: true,
      settings: { ...DEV, mfa_token_seconds: '60' },
    });
    const start = clock.now();
    assert.deepEqual(success(await send(node.openSession(), 'dev-clock-get', {})), {
      offsetMs: 0,
      now: start,
    });
    // An MFA change token issued now expires when the clock is moved past its 60 s.
    const admin = await loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    const { token } = success(
      await send(admin, 'change-mfa-start', { username: 'admin', role: 'admin', password: 'admin-pass-2' }),
    ) as { token: string };
    assert.deepEqual(
      success(await send(node.openSession(), 'dev-clock-set', { offsetMs: 61_000, secret: SECRET })),
      {
        offsetMs: 61_000,
        now: start + 61_000,
      },
    );
    const expired = refusal(
      await send(admin, 'change-mfa-finish', {
        token,
        signature: 'A'.repeat(342) + '==',
        publicKey: testKeyPair('alice').publicPem,
        commit: false,
      }),
    );
    assert.equal(expired.code, 'ERR_TOKEN_EXPIRED');
    assert.equal(store.getSetting('dev_clock_offset_ms'), '61000');
    // Idle logout: 30 minutes later the admin's session is no longer logged in.
    success(
      await send(node.openSession(), 'dev-clock-set', { offsetMs: 61_000 + 31 * 60_000, secret: SECRET }),
    );
    assert.equal(refusal(await send(admin, 'logout', {})).code, 'ERR_NOT_LOGGED_IN');
    // A restarted node (same state) keeps the moved time.
    const restarted = new HsmNode(store, { clock });
    assert.equal(restarted.clock.now(), start + 61_000 + 31 * 60_000);
    // Back to the system clock.
    assert.deepEqual(
      success(await send(node.openSession(), 'dev-clock-set', { offsetMs: 0, secret: SECRET })),
      {
        offsetMs: 0,
        now: start,
      },
    );
    assert.deepEqual(
      store
        .listAudit()
        .filter((e) => e.operation.startsWith('dev-clock'))
        .map((e) => [e.operation, e.result]),
      [
        ['dev-clock-set', 'ok'],
        ['dev-clock-set', 'ok'],
        ['dev-clock-set', 'ok'],
      ],
      'moves are audited, reads are not',
    );
  });

  it('refuses a negative or too large offset on the wire', async () => {
    const { node, send } = await makeNode({ settings: DEV });
    for (const offsetMs of [-1, 1.5, 100 * 365 * 86_400_000 + 1]) {
      assert.equal(
        refusal(await send(node.openSession(), 'dev-clock-set', { offsetMs, secret: SECRET })).code,
        'ERR_BAD_REQUEST',
        String(offsetMs),
      );
    }
  });

  it('refuses a move without the control secret, logged in as admin or not (report L9)', async () => {
    const { node, store, send, loginSession } = await makeNode({ activated: true, settings: DEV });
    const admin = await loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    for (const session of [node.openSession(), admin]) {
      for (const args of [{ offsetMs: 3_600_000 }, { offsetMs: 3_600_000, secret: 'b'.repeat(64) }]) {
        assert.deepEqual(refusal(await send(session, 'dev-clock-set', args)), {
          code: 'ERR_DEV_CLOCK_SECRET',
          message:
            "The clock of this HSM can only be moved with its cluster's control secret (localhsm time reads it from the state directory)",
          params: {},
        });
      }
    }
    assert.equal(node.devClock!.offsetMs, 0);
    assert.equal(store.getSetting('dev_clock_offset_ms'), undefined);
    // The admin's session survived: nobody was logged out by a jump of the clock.
    assert.deepEqual(success(await send(admin, 'logout', {})), {});
  });

  it('audit entries keep the real time, with the moved dev-clock time beside it', async () => {
    const { node, store, clock, send } = await makeNode({ activated: true, settings: DEV });
    success(await send(node.openSession(), 'dev-clock-set', { offsetMs: 86_400_000, secret: SECRET }));
    await send(node.openSession(), 'login', { username: 'admin', role: 'admin', password: 'wrong-pass-1' });
    const last = store.listAudit().at(-1)!;
    assert.equal(last.operation, 'login');
    assert.equal(last.time, new Date(clock.now()).toISOString());
    assert.equal(last.devTime, new Date(clock.now() + 86_400_000).toISOString());
  });
});
