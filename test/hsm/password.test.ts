// Password hashing: the versioned scrypt string, per-hash salts, verification (incl. no stored hash).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KDF_PROFILES, hashPassword, verifyPassword } from '../../src/hsm/password.js';

const FORMAT = /^scrypt\$v=1\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;
const fast = KDF_PROFILES.fast;

describe('password hashing', () => {
  it('writes scrypt$v=1$N=..,r=..,p=..$salt$hash with the profile parameters', async () => {
    const hash = await hashPassword('correct-horse', fast);
    const m = FORMAT.exec(hash);
    assert.ok(m, `unexpected format: ${hash}`);
    assert.deepEqual([Number(m[1]), Number(m[2]), Number(m[3])], [fast.N, fast.r, fast.p]);
    assert.equal(Buffer.from(m[4]!, 'base64').length, 16);
    assert.equal(Buffer.from(m[5]!, 'base64').length, 32);
    assert.ok(!hash.includes('correct-horse'));
  });

  it('records the strong profile parameters too', async () => {
    assert.deepEqual(KDF_PROFILES.strong, { N: 2 ** 15, r: 8, p: 1 });
    // Hashing with the strong profile is slow by design; its format is checked with the fast one.
    const hash = await hashPassword('pw-strong-1', { N: 2 ** 11, r: 8, p: 2 });
    assert.match(hash, /^scrypt\$v=1\$N=2048,r=8,p=2\$/);
    assert.equal(await verifyPassword('pw-strong-1', hash, fast), true);
  });

  it('uses a different salt (and so a different hash) each time for the same password', async () => {
    const a = await hashPassword('same-password', fast);
    const b = await hashPassword('same-password', fast);
    assert.notEqual(a, b);
    assert.notEqual(FORMAT.exec(a)![4], FORMAT.exec(b)![4]);
    assert.notEqual(FORMAT.exec(a)![5], FORMAT.exec(b)![5]);
  });

  it('verifies the right password and rejects others', async () => {
    const hash = await hashPassword('Secret-pass1', fast);
    assert.equal(await verifyPassword('Secret-pass1', hash, fast), true);
    assert.equal(await verifyPassword('secret-pass1', hash, fast), false, 'passwords are case-sensitive');
    assert.equal(await verifyPassword('Secret-pass', hash, fast), false);
    assert.equal(await verifyPassword('', hash, fast), false);
  });

  it('verifies against the parameters stored in the hash, not the fallback', async () => {
    const hash = await hashPassword('param-check', { N: 2 ** 9, r: 4, p: 1 });
    assert.equal(await verifyPassword('param-check', hash, fast), true);
  });

  it('returns false for a null stored hash (a user who cannot log in yet)', async () => {
    assert.equal(await verifyPassword('anything-at-all', null, fast), false);
    assert.equal(await verifyPassword('', null, fast), false);
  });

  it('returns false for a stored hash that is not in the expected format', async () => {
    const good = await hashPassword('format-pass', fast);
    for (const bad of [
      '',
      'plain',
      good.replace('v=1', 'v=2'),
      good.replace('N=1024', 'N=1000'),
      good.replace('scrypt', 'bcrypt'),
    ]) {
      assert.equal(await verifyPassword('format-pass', bad, fast), false, bad);
    }
  });
});
