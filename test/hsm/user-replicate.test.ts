// user replicate on the node: the destination creates a user only from a seal its clone family made for it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { hashPassword, KDF_PROFILES } from '../../src/hsm/password.js';
import { sealUser } from '../../src/hsm/replicate-seal.js';
import type { Session } from '../../src/hsm/session.js';
import { NODE_ADMIN_PASSWORD, type TestNode, makeNode, refusal, success } from '../helpers/node.js';

const FAMILY = 'ab'.repeat(32);
const OTHER_FAMILY = 'cd'.repeat(32);
const DESTINATION = 'cluster-bbbbbbbbbbb';

/** Source (cluster A, with carol) and destination (cluster B), each with a logged-in admin. */
async function pair(destinationFamily = FAMILY) {
  const source = await makeNode({ activated: true, settings: { clone_family_key: FAMILY } });
  const destination = await makeNode({
    activated: true,
    hsmId: 'hsm-bbbbbbbbbbb',
    settings: { clone_family_key: destinationFamily, cluster_id: DESTINATION },
  });
  const sourceAdmin = await source.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
  const destinationAdmin = await destination.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
  success(
    await source.send(sourceAdmin, 'user-create', {
      username: 'carol',
      role: 'crypto-user',
      password: 'carol-pass-1',
    }),
  );
  return { source, destination, sourceAdmin, destinationAdmin };
}

const CAROL = { username: 'carol', role: 'crypto-user' } as const;

async function challenge(t: TestNode, session: Session): Promise<string> {
  return (success(await t.send(session, 'user-replicate-challenge', CAROL)) as { challenge: string })
    .challenge;
}

async function exported(
  t: TestNode,
  session: Session,
  challenges: string[],
  destinationClusterId = DESTINATION,
) {
  return success(
    await t.send(session, 'user-replicate-export', { ...CAROL, destinationClusterId, challenges }),
  ) as { digest: string; sealed: string[]; user: unknown };
}

describe('user replicate (node)', () => {
  it('copies the user, who then logs in on the destination with the same password', async () => {
    const { source, destination, sourceAdmin, destinationAdmin } = await pair();
    const c = await challenge(destination, destinationAdmin);
    const out = await exported(source, sourceAdmin, [c]);
    assert.deepEqual(out.user, { ...CAROL, locked: false, mfa: false, quorum: false });
    assert.ok(!JSON.stringify(out).includes('scrypt'), 'no password hash reaches the client');
    success(
      await destination.send(destinationAdmin, 'user-replicate-import', {
        ...CAROL,
        challenge: c,
        sealed: out.sealed[0],
      }),
    );
    assert.equal(
      destination.store.getUser('carol')?.passwordHash,
      source.store.getUser('carol')?.passwordHash,
    );
    await destination.loginSession('carol', 'crypto-user', 'carol-pass-1');
  });

  it('copies the MFA and quorum keys and the lock state, not the failed-login count', async () => {
    const { source, destination, sourceAdmin, destinationAdmin } = await pair();
    const pem = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    }) as string;
    const carol = source.store.getUser('carol')!;
    source.store.updateUser({
      ...carol,
      mfaPublicKey: pem,
      quorumPublicKey: pem,
      locked: true,
      failedLogins: 5,
    });
    const c = await challenge(destination, destinationAdmin);
    const out = await exported(source, sourceAdmin, [c]);
    assert.deepEqual(out.user, { ...CAROL, locked: true, mfa: true, quorum: true });
    success(
      await destination.send(destinationAdmin, 'user-replicate-import', {
        ...CAROL,
        challenge: c,
        sealed: out.sealed[0],
      }),
    );
    const copy = destination.store.getUser('carol')!;
    assert.deepEqual(
      {
        mfa: copy.mfaPublicKey,
        quorum: copy.quorumPublicKey,
        locked: copy.locked,
        failed: copy.failedLogins,
      },
      { mfa: pem, quorum: pem, locked: true, failed: 0 },
    );
  });

  it('refuses a seal of an unrelated cluster (another clone family)', async () => {
    const { source, destination, sourceAdmin, destinationAdmin } = await pair(OTHER_FAMILY);
    const c = await challenge(destination, destinationAdmin);
    const out = await exported(source, sourceAdmin, [c]);
    const error = refusal(
      await destination.send(destinationAdmin, 'user-replicate-import', {
        ...CAROL,
        challenge: c,
        sealed: out.sealed[0],
      }),
    );
    assert.equal(error.code, 'ERR_NOT_CLONES');
    assert.equal(destination.store.getUser('carol'), undefined);
  });

  it('refuses a user whose hash an admin of the destination made up, even sealed with a guessed key', async () => {
    const { destination, destinationAdmin } = await pair();
    const c = await challenge(destination, destinationAdmin);
    const forged = sealUser(
      crypto.randomBytes(32),
      {
        ...CAROL,
        passwordHash: await hashPassword('attacker-pass', KDF_PROFILES.fast),
        locked: false,
        mfaPublicKey: null,
        quorumPublicKey: null,
      },
      { destinationClusterId: DESTINATION, challenge: c, ...CAROL },
    );
    const error = refusal(
      await destination.send(destinationAdmin, 'user-replicate-import', {
        ...CAROL,
        challenge: c,
        sealed: forged,
      }),
    );
    assert.equal(error.code, 'ERR_NOT_CLONES');
    assert.equal(destination.store.getUser('carol'), undefined);
  });

  it('does not open a seal made for another destination, or replayed against a used challenge', async () => {
    const { source, destination, sourceAdmin, destinationAdmin } = await pair();
    const c1 = await challenge(destination, destinationAdmin);
    const elsewhere = await exported(source, sourceAdmin, [c1], 'cluster-ccccccccccc');
    assert.equal(
      refusal(
        await destination.send(destinationAdmin, 'user-replicate-import', {
          ...CAROL,
          challenge: c1,
          sealed: elsewhere.sealed[0],
        }),
      ).code,
      'ERR_NOT_CLONES',
    );
    // The refused attempt used the challenge up: even a good seal for it is refused now.
    const good = await exported(source, sourceAdmin, [c1]);
    assert.equal(
      refusal(
        await destination.send(destinationAdmin, 'user-replicate-import', {
          ...CAROL,
          challenge: c1,
          sealed: good.sealed[0],
        }),
      ).code,
      'ERR_TOKEN_UNKNOWN',
    );
  });

  it('refuses a user missing on the source, present on the destination, or asked by a crypto user', async () => {
    const { source, destination, sourceAdmin, destinationAdmin } = await pair();
    const dave = { username: 'dave', role: 'admin' };
    const c = (
      success(await destination.send(destinationAdmin, 'user-replicate-challenge', dave)) as {
        challenge: string;
      }
    ).challenge;
    assert.equal(
      refusal(
        await source.send(sourceAdmin, 'user-replicate-export', {
          ...dave,
          destinationClusterId: DESTINATION,
          challenges: [c],
        }),
      ).code,
      'ERR_USER_NOT_FOUND',
    );
    assert.equal(
      refusal(
        await destination.send(destinationAdmin, 'user-replicate-challenge', {
          username: 'admin',
          role: 'admin',
        }),
      ).code,
      'ERR_USER_EXISTS',
    );
    const carolSession = await source.loginSession('carol', 'crypto-user', 'carol-pass-1');
    assert.equal(
      refusal(
        await source.send(carolSession, 'user-replicate-export', {
          ...CAROL,
          destinationClusterId: DESTINATION,
          challenges: [c],
        }),
      ).code,
      'ERR_PERMISSION_DENIED',
    );
  });

  it('refuses on a cluster without a clone family (made before clone families)', async () => {
    const old = await makeNode({ activated: true });
    const admin = await old.loginSession('admin', 'admin', NODE_ADMIN_PASSWORD);
    assert.equal(
      refusal(await old.send(admin, 'user-replicate-challenge', CAROL)).code,
      'ERR_NO_CLONE_FAMILY',
    );
  });
});
