// The operator's read of the live quorum tokens (quorum-list-operator): the audit-key proof, or a refusal.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { HsmNode } from '../../src/hsm/node.js';
import { operatorProof } from '../../src/hsm/operator-proof.js';
import { provisionHsm } from '../../src/hsm/provision.js';
import { MemoryStore } from '../../src/hsm/store/memory.js';
import { ManualClock } from '../helpers/cluster.js';
import { NODE_ADMIN_PASSWORD } from '../helpers/node.js';

function node(withKey = true) {
  const store = new MemoryStore();
  provisionHsm(store, {
    hsmId: 'hsm-aaaaaaaaaaa',
    clusterId: 'cluster-aaaaaaaaaaa',
    serialNumber: 'X',
    kdf: 'fast',
  });
  const auditKey = { key: crypto.randomBytes(32), fromSeq: 1 };
  const n = new HsmNode(store, { clock: new ManualClock(), ...(withKey && { auditKey }) });
  let id = 1;
  const send = (s: ReturnType<HsmNode['openSession']>, op: string, args: unknown) =>
    n.handle({ v: 1, id: id++, op, args }, s);
  return { n, send, auditKey };
}

describe('quorum-list-operator', () => {
  it('lists every live token, logged out, for the audit-key proof', async () => {
    const { n, send, auditKey } = node();
    const admin = n.openSession();
    assert.ok((await send(admin, 'cluster-activate', { password: NODE_ADMIN_PASSWORD })).ok);
    assert.ok(
      (await send(admin, 'login', { username: 'admin', role: 'admin', password: NODE_ADMIN_PASSWORD })).ok,
    );
    assert.ok((await send(admin, 'quorum-generate', { service: 'user' })).ok);
    const reply = await send(n.openSession(), 'quorum-list-operator', { proof: operatorProof(auditKey) });
    assert.ok(reply.ok);
    assert.deepEqual(reply.result, {
      tokens: [
        { username: 'admin', service: 'user', approvalsRequired: 1, approvals: 0, remainingSeconds: 600 },
      ],
    });
  });

  it('refuses a wrong proof, another HSM key, and any proof on an HSM without an audit key', async () => {
    const { n, send } = node();
    for (const proof of ['', '0'.repeat(64), operatorProof({ key: crypto.randomBytes(32), fromSeq: 1 })]) {
      const reply = await send(n.openSession(), 'quorum-list-operator', { proof });
      assert.equal(reply.ok ? 'ok' : reply.error.code, 'ERR_OPERATOR_PROOF');
    }
    const bare = node(false);
    const reply = await bare.send(bare.n.openSession(), 'quorum-list-operator', {
      proof: operatorProof(bare.auditKey),
    });
    assert.equal(reply.ok ? 'ok' : reply.error.code, 'ERR_OPERATOR_PROOF');
  });
});
