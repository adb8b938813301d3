// HSM type (issue 14 item 7): what a node of each type provisions and answers (cluster service, user limit).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { provisionHsm } from '../../src/hsm/provision.js';
import { HsmNode } from '../../src/hsm/node.js';
import { type SettingKey, readSetting } from '../../src/hsm/settings.js';
import { MemoryStore } from '../../src/hsm/store/memory.js';
import { ManualClock } from '../helpers/cluster.js';
import { NODE_ADMIN_PASSWORD, makeNode, refusal, success } from '../helpers/node.js';

const IDENTITY = {
  hsmId: 'hsm-aaaaaaaaaaa',
  clusterId: 'cluster-aaaaaaaaaaa',
  serialNumber: 'LHSM-TEST',
  kdf: 'fast',
} as const;

describe('HSM type', () => {
  it('provisions the type and its user limit (hsm1.medium 250, hsm2m.medium 1024 and the default)', () => {
    for (const [hsmType, limit] of [
      ['hsm1.medium', 250],
      ['hsm2m.medium', 1024],
      [undefined, 1024],
    ] as const) {
      const store = new MemoryStore();
      provisionHsm(store, { ...IDENTITY, ...(hsmType && { hsmType }) });
      assert.equal(readSetting(store, 'hsm_type'), hsmType ?? 'hsm2m.medium');
      assert.equal(readSetting(store, 'max_users'), limit);
    }
  });

  it('reads a state without the setting (made before types existed) as hsm2m.medium', async () => {
    /** A store as old states are: no hsm_type row. */
    class OldStore extends MemoryStore {
      override getSetting(key: SettingKey): string | undefined {
        return key === 'hsm_type' ? undefined : super.getSetting(key);
      }
    }
    const store = new OldStore();
    provisionHsm(store, IDENTITY);
    assert.equal(readSetting(store, 'hsm_type'), 'hsm2m.medium');
    const node = new HsmNode(store, { clock: new ManualClock(), onInternalError: () => {} });
    const reply = await node.handle({ v: 1, id: 1, op: 'quorum-list-values', args: {} }, node.openSession());
    assert.deepEqual(success(reply), { user: 1, quorum: 1, cluster: 1 });
  });

  it('has no cluster quorum service on hsm1.medium: list-quorum-values, set-quorum-value, generate', async () => {
    const t = await makeNode({ activated: true, settings: { hsm_type: 'hsm1.medium' } });
    assert.deepEqual(success(await t.send(t.node.openSession(), 'quorum-list-values', {})), {
      user: 1,
      quorum: 1,
    });
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    for (const [op, args] of [
      ['quorum-set-value', { service: 'cluster', value: 2 }],
      ['quorum-generate', { service: 'cluster' }],
    ] as const) {
      const error = refusal(await t.send(admin, op, args));
      assert.equal(error.code, 'ERR_QUORUM_SERVICE', op);
      assert.equal(error.message, "Invalid quorum service 'cluster': possible values are user, quorum", op);
    }
    // The services hsm1.medium has still work.
    success(await t.send(admin, 'quorum-set-value', { service: 'user', value: 1 }));
    success(await t.send(admin, 'quorum-generate', { service: 'quorum' }));
  });

  it('has no cluster mtls on hsm1.medium', async () => {
    const t = await makeNode({ activated: true, settings: { hsm_type: 'hsm1.medium' } });
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    for (const [op, args] of [
      ['mtls-list-trust-anchors', {}],
      ['mtls-get-enforcement', {}],
      ['mtls-set-enforcement', { level: 'none' }],
    ] as const) {
      const error = refusal(await t.send(admin, op, args));
      assert.equal(error.code, 'ERR_MTLS_UNSUPPORTED', op);
      assert.equal(
        error.message,
        'cluster mtls is not supported on HSM type hsm1.medium; it exists on hsm2m only',
      );
    }
    const hsm2m = await makeNode({ activated: true });
    success(
      await hsm2m.send(
        await hsm2m.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD),
        'mtls-get-enforcement',
        {},
      ),
    );
  });

  it('keeps the cluster service on hsm2m.medium', async () => {
    const t = await makeNode({ activated: true, settings: { hsm_type: 'hsm2m.medium' } });
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    success(await t.send(admin, 'quorum-generate', { service: 'cluster' }));
    success(await t.send(admin, 'quorum-set-value', { service: 'cluster', value: 1 }));
  });

  it('refuses the 251st user on hsm1.medium (the built-in two included)', async () => {
    const t = await makeNode({ activated: true, settings: { hsm_type: 'hsm1.medium', max_users: '250' } });
    const admin = await t.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    for (let i = 0; i < 248; i++)
      success(
        await t.send(admin, 'user-create', {
          username: `u${i}`,
          role: 'crypto-user',
          password: 'password-1',
        }),
      );
    const error = refusal(
      await t.send(admin, 'user-create', {
        username: 'one_more',
        role: 'crypto-user',
        password: 'password-1',
      }),
    );
    assert.equal(error.code, 'ERR_TOO_MANY_USERS');
    assert.equal(error.message, 'The HSM already holds the maximum of 250 users');
  });
});
