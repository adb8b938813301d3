// Key quorum on one node through handle(): key-usage and key-management tokens, approvals, reuse, binding, listing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { parseRef } from '../../../src/hsm/keys/record.js';
import type { Session } from '../../../src/hsm/session.js';
import type { Approval } from '../../../src/protocol/quorum.js';
import { signToken } from '../../../src/tokens/token-sign.js';
import { type TestKey, approvalOf, rsaKeys, withSignature } from '../../helpers/quorum.js';
import { NODE_ADMIN_PASSWORD, type TestNode, startTestNode } from '../../helpers/typed-node.js';

const PASS = 'crypto-pass-1';
const USERS = ['alice', 'bob', 'carol'] as const;
type User = (typeof USERS)[number];
const pairs = rsaKeys(3);
const QKEY: Record<User, TestKey> = { alice: pairs[0]!, bob: pairs[1]!, carol: pairs[2]! };

async function register(t: TestNode, session: Session, key: TestKey): Promise<void> {
  const start = await t.ok(session, 'quorum-register-start', {});
  const signed = signToken(key.privateKey, Buffer.from(start.unsigned, 'base64')).toString('base64');
  const tokens = [{ approvalData: start.approvalData, unsigned: start.unsigned, signed }];
  await t.ok(session, 'quorum-register-finish', { publicKey: key.publicPem, tokens, commit: false });
  await t.ok(session, 'quorum-register-finish', { publicKey: key.publicPem, tokens, commit: true });
}

/**
 * alice, bob, carol (crypto users with registered quorum keys); alice owns an RSA pair with manage and
 * use quorum 2, shared with bob; carol is not associated with it.
 */
async function setup() {
  const t = await startTestNode();
  const admin = await t.login('admin', NODE_ADMIN_PASSWORD);
  for (const u of USERS)
    await t.ok(admin, 'user-create', { username: u, role: 'crypto-user', password: PASS });
  const s = { admin } as Record<User | 'admin', Session>;
  for (const u of USERS) {
    s[u] = await t.login(u, PASS, 'crypto-user');
    await register(t, s[u], QKEY[u]);
  }
  const generate = (label: string) =>
    t.ok(s.alice, 'key-generate', {
      type: 'rsa',
      modulusBits: 2048,
      publicExponent: 65537,
      publicLabel: `${label}-pub`,
      privateLabel: label,
      privateAttributes: ['sign=true'],
      publicAttributes: ['verify=true'],
      share: ['bob'],
      manageQuorum: 2,
      useQuorum: 2,
    });
  const [pub, priv] = (await generate('signer')).keys;
  const [, other] = (await generate('other')).keys;
  const message = Buffer.from('approved message');
  const hash = crypto.createHash('sha256').update(message).digest();
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), hash]);
  const sign = {
    ref: priv!.ref,
    mechanism: 'rsa-pkcs' as const,
    hash: 'sha256' as const,
    digest: digestInfo.toString('base64'),
  };
  return { t, s, pub: pub!, priv: priv!, other: other!, sign, message };
}

async function token(t: TestNode, session: Session, service: string, keyRef?: string): Promise<Approval> {
  const { record } = await t.ok(session, 'quorum-generate', { service, ...(keyRef ? { keyRef } : {}) });
  return approvalOf([Buffer.from(record, 'base64')]);
}

const signedBy = (approval: Approval, ...names: User[]) =>
  names.reduce((a, name) => withSignature(a, name, QKEY[name].privateKey), approval);

describe('key quorum (key-usage and key-management) on one HSM', () => {
  it('signs with a use quorum of 2 only with 2 approvals, once', async () => {
    const { t, s, pub, sign, message } = await setup();
    assert.equal((await t.fails(s.alice, 'crypto-sign', sign)).message, 'Quorum Failed');
    assert.equal((await t.fails(s.bob, 'crypto-sign', sign)).message, 'Quorum Failed');
    const approval = await token(t, s.alice, 'key-usage', sign.ref);
    const one = await t.fails(s.alice, 'crypto-sign', { ...sign, approval: signedBy(approval, 'alice') });
    assert.equal(one.message, 'Too few quorum approvals: currently 1 approvals, but 2 approvals required');
    const two = signedBy(approval, 'alice', 'bob');
    const { signature } = await t.ok(s.alice, 'crypto-sign', { ...sign, approval: two });
    const spki = t.store.getKey(parseRef(pub.ref)!)!.material;
    const publicKey = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
    assert.ok(crypto.verify('sha256', message, publicKey, Buffer.from(signature, 'base64')));
    const reused = await t.fails(s.alice, 'crypto-sign', { ...sign, approval: two });
    assert.equal(reused.message, 'Invalid username-signature pair for quorum authorization');
    // A shared user's own token works the same way.
    const bobs = signedBy(await token(t, s.bob, 'key-usage', sign.ref), 'bob', 'alice');
    await t.ok(s.bob, 'crypto-sign', { ...sign, approval: bobs });
    // Verify is not gated.
    await t.ok(s.bob, 'crypto-verify', { ...sign, ref: pub.ref, signature });
  });

  it("refuses another key's token, another service's token and another login's token", async () => {
    const { t, s, other, sign } = await setup();
    const forOther = signedBy(await token(t, s.alice, 'key-usage', other.ref), 'alice', 'bob');
    const wrongKey = await t.fails(s.alice, 'crypto-sign', { ...sign, approval: forOther });
    assert.equal(
      wrongKey.message,
      `This quorum token was generated for key ${other.ref}, but this operation uses key ${sign.ref}`,
    );
    const management = signedBy(await token(t, s.alice, 'key-management', sign.ref), 'alice', 'bob');
    const wrongService = await t.fails(s.alice, 'crypto-sign', { ...sign, approval: management });
    assert.equal(wrongService.code, 'ERR_QUORUM_WRONG_SERVICE');
    const bobs = signedBy(await token(t, s.bob, 'key-usage', sign.ref), 'alice', 'bob');
    assert.equal(
      (await t.fails(s.alice, 'crypto-sign', { ...sign, approval: bobs })).code,
      'ERR_QUORUM_TOKEN_NOT_OWNED',
    );
    // None of the refusals consumed a token: the right one still signs.
    await t.ok(s.alice, 'crypto-sign', { ...sign, approval: forOther, ref: other.ref });
  });

  it('does not count approvers who are not associated with the key, or unsigned and forged entries', async () => {
    const { t, s, sign } = await setup();
    const approval = await token(t, s.alice, 'key-usage', sign.ref);
    const withCarol = signedBy(approval, 'alice', 'carol');
    const refused = await t.fails(s.alice, 'crypto-sign', { ...sign, approval: withCarol });
    assert.equal(
      refused.message,
      'Too few quorum approvals: currently 1 approvals, but 2 approvals required',
    );
    assert.equal(refused.params.ignored, `carol: not an owner or shared user of key ${sign.ref}`);
    // bob's name with carol's signature does not verify with bob's registered key.
    const forged = withSignature(signedBy(approval, 'alice'), 'bob', QKEY.carol.privateKey);
    const f = await t.fails(s.alice, 'crypto-sign', { ...sign, approval: forged });
    assert.equal(f.params.ignored, 'bob: signature does not verify with the registered quorum key');
    // The admin cannot approve key tokens either.
    const byAdmin = withSignature(signedBy(approval, 'alice'), 'admin', QKEY.carol.privateKey);
    const a = await t.fails(s.alice, 'crypto-sign', { ...sign, approval: byAdmin });
    assert.equal(a.params.ignored, `admin: an admin cannot approve key ${sign.ref}`);
    await t.ok(s.alice, 'crypto-sign', { ...sign, approval: signedBy(approval, 'alice', 'bob') });
  });

  it('gates share, unshare and set-attribute with key-management approvals', async () => {
    const { t, s, sign } = await setup();
    const ref = sign.ref;
    const share = { ref, username: 'carol', role: 'crypto-user' };
    assert.equal((await t.fails(s.alice, 'key-share', share)).message, 'Quorum Failed');
    const usage = signedBy(await token(t, s.alice, 'key-usage', ref), 'alice', 'bob');
    assert.equal(
      (await t.fails(s.alice, 'key-share', { ...share, approval: usage })).code,
      'ERR_QUORUM_WRONG_SERVICE',
    );
    const manage = signedBy(await token(t, s.alice, 'key-management', ref), 'alice', 'bob');
    await t.ok(s.alice, 'key-share', { ...share, approval: manage });
    assert.deepEqual(t.store.getKey(parseRef(ref)!)!.shared, ['bob', 'carol']);
    assert.equal(
      (await t.fails(s.alice, 'key-share', { ...share, username: 'carol', approval: manage })).message,
      'Key is already shared with user carol',
    );
    // Now carol is associated, so her approval counts.
    const setAttr = { ref, name: 'label', value: 'renamed' };
    assert.equal((await t.fails(s.alice, 'key-set-attribute', setAttr)).message, 'Quorum Failed');
    const byCarol = signedBy(await token(t, s.alice, 'key-management', ref), 'carol', 'bob');
    await t.ok(s.alice, 'key-set-attribute', { ...setAttr, approval: byCarol });
    assert.equal(t.store.getKey(parseRef(ref)!)!.label, 'renamed');
    const unshare = { ref, username: 'carol', role: 'crypto-user' };
    assert.equal((await t.fails(s.alice, 'key-unshare', unshare)).message, 'Quorum Failed');
    await t.ok(s.alice, 'key-unshare', {
      ...unshare,
      approval: signedBy(await token(t, s.alice, 'key-management', ref), 'alice', 'carol'),
    });
    // Unsharing bob would leave 1 associated user for quorum values of 2.
    const below = await t.fails(s.alice, 'key-unshare', {
      ...unshare,
      username: 'bob',
      approval: signedBy(await token(t, s.alice, 'key-management', ref), 'alice', 'bob'),
    });
    assert.equal(below.message, 'Invalid quorum value provided.');
  });

  it('issues key tokens to the key owner and shared users only, several per user, and lists them to them', async () => {
    const { t, s, sign, other } = await setup();
    assert.equal(
      (await t.fails(s.carol, 'quorum-generate', { service: 'key-usage', keyRef: sign.ref })).code,
      'ERR_KEY_SELECTION',
    );
    assert.equal(
      (await t.fails(s.admin, 'quorum-generate', { service: 'key-usage', keyRef: sign.ref })).message,
      'Permission denied: the admin role cannot generate quorum tokens for service key-usage',
    );
    assert.equal(
      (await t.fails(s.alice, 'quorum-generate', { service: 'key-usage' })).code,
      'ERR_QUORUM_KEY_FILTER',
    );
    assert.equal(
      (await t.fails(s.admin, 'quorum-generate', { service: 'user', keyRef: sign.ref })).code,
      'ERR_QUORUM_KEY_FILTER_UNEXPECTED',
    );
    const first = await token(t, s.alice, 'key-usage', sign.ref);
    await token(t, s.alice, 'key-usage', sign.ref);
    await token(t, s.bob, 'key-management', other.ref);
    // The record carries the key reference (bytes 8..15) and the key-usage service code.
    const record = Buffer.from(first.approvalData, 'base64');
    assert.equal('0x' + record.subarray(8, 16).toString('hex'), sign.ref);
    assert.equal(record.readUInt16BE(2), 6);
    t.clock.advance(1);
    const expected = [
      {
        username: 'alice',
        service: 'key-usage',
        keyRef: sign.ref,
        approvalsRequired: 2,
        approvals: 0,
        remainingSeconds: 599,
      },
      {
        username: 'alice',
        service: 'key-usage',
        keyRef: sign.ref,
        approvalsRequired: 2,
        approvals: 0,
        remainingSeconds: 599,
      },
      {
        username: 'bob',
        service: 'key-management',
        keyRef: other.ref,
        approvalsRequired: 2,
        approvals: 0,
        remainingSeconds: 599,
      },
    ];
    assert.deepEqual((await t.ok(s.bob, 'quorum-list', {})).tokens, expected);
    assert.deepEqual((await t.ok(s.admin, 'quorum-list', {})).tokens, expected);
    assert.deepEqual((await t.ok(s.carol, 'quorum-list', {})).tokens, []);
    // Both of alice's tokens are usable (several per user for key services).
    await t.ok(s.alice, 'crypto-sign', { ...sign, approval: signedBy(first, 'alice', 'bob') });
    assert.equal((await t.ok(s.alice, 'quorum-list', {})).tokens.length, 2);
  });

  it('gates key wrap (payload and wrapping key, each its own token) and key unwrap (the unwrapping key)', async () => {
    const { t, s } = await setup();
    const aes = async (label: string, attributes: string[]) =>
      (
        await t.ok(s.alice, 'key-generate', {
          type: 'aes',
          label,
          keyLengthBytes: 16,
          attributes,
          share: ['bob'],
          manageQuorum: 2,
          useQuorum: 2,
        })
      ).keys[0]!.ref;
    const kek = await aes('kek', ['wrap=true', 'unwrap=true']);
    const payload = await aes('payload', []);
    const wrap = { mechanism: 'aes-zero-pad' as const, payloadRef: payload, wrappingRef: kek };
    assert.equal((await t.fails(s.alice, 'key-wrap', wrap)).message, 'Quorum Failed');
    const payloadApproval = signedBy(await token(t, s.alice, 'key-management', payload), 'alice', 'bob');
    assert.equal((await t.fails(s.alice, 'key-wrap', { ...wrap, payloadApproval })).message, 'Quorum Failed');
    // The payload's token given for the wrapping key is refused as a token of another key.
    const swapped = await t.fails(s.alice, 'key-wrap', {
      ...wrap,
      payloadApproval,
      wrappingApproval: payloadApproval,
    });
    assert.equal(swapped.code, 'ERR_QUORUM_WRONG_KEY');
    const wrappingApproval = signedBy(await token(t, s.alice, 'key-management', kek), 'alice', 'bob');
    const { wrapped } = await t.ok(s.alice, 'key-wrap', { ...wrap, payloadApproval, wrappingApproval });
    assert.equal(
      (await t.fails(s.alice, 'key-wrap', { ...wrap, payloadApproval, wrappingApproval })).message,
      'Invalid username-signature pair for quorum authorization',
    );
    // Key material leaving the HSM is audited on every attempt, with both references (never the wrapped data).
    const wraps = t.store.listAudit().filter((e) => e.operation === 'key-wrap');
    assert.deepEqual(
      wraps.map((e) => `${e.actor} ${e.target} ${e.result}`),
      [
        [
          'ERR_KEY_QUORUM_FAILED',
          'ERR_KEY_QUORUM_FAILED',
          'ERR_QUORUM_WRONG_KEY',
          'ok',
          'ERR_QUORUM_TOKEN_INVALID',
        ].map((r) => `alice ${payload} ${kek} ${r}`),
      ].flat(),
    );
    assert.ok(!JSON.stringify(t.store.listAudit()).includes(wrapped));
    const unwrap = {
      mechanism: 'aes-zero-pad' as const,
      ref: kek,
      wrapped,
      keyTypeClass: 'aes' as const,
      label: 'u',
    };
    assert.equal((await t.fails(s.bob, 'key-unwrap', unwrap)).message, 'Quorum Failed');
    const approval = signedBy(await token(t, s.bob, 'key-management', kek), 'bob', 'alice');
    const { keys } = await t.ok(s.bob, 'key-unwrap', { ...unwrap, approval });
    assert.equal(keys[0]!.owner, 'bob');
    assert.equal(
      (await t.fails(s.bob, 'key-unwrap', { ...unwrap, approval })).code,
      'ERR_QUORUM_TOKEN_INVALID',
    );
  });
});
