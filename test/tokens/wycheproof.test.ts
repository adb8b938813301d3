// Every Wycheproof RSA PKCS#1 v1.5 SHA-256 vector (token = SHA-256(msg)) through the node's verifier
// and through `localhsm token verify`; `acceptable` vectors are recorded, not required either way.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyTokenSignature } from '../../src/tokens/token-sign.js';
import { tempDir } from '../helpers/cluster.js';
import { runLocalhsm } from '../helpers/localhsm.js';

const VECTORS = fileURLToPath(new URL('../../../test/vectors/wycheproof/', import.meta.url));

interface Vector {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface Group {
  keySize: number;
  publicKeyPem: string;
  tests: Vector[];
}

const files = [2048, 3072, 4096].map((bits) => {
  const data = JSON.parse(
    fs.readFileSync(path.join(VECTORS, `rsa_signature_${bits}_sha256_test.json`), 'utf8'),
  );
  return { bits, groups: data.testGroups as Group[], count: data.numberOfTests as number };
});

const tokenOf = (v: Vector) => crypto.createHash('sha256').update(Buffer.from(v.msg, 'hex')).digest();

/** What we do with the `acceptable` vectors (all are "MissingNull": DigestInfo without the NULL parameter). */
const ACCEPTABLE_VERDICT = false;

describe('Wycheproof RSA PKCS#1 v1.5 SHA-256 vectors', () => {
  const dir = tempDir('localhsm-wycheproof-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const { bits, groups, count } of files) {
    it(`node verifier: all ${count} vectors of the ${bits}-bit file`, () => {
      let checked = 0;
      for (const group of groups) {
        const key = crypto.createPublicKey(group.publicKeyPem);
        for (const v of group.tests) {
          const verdict = verifyTokenSignature(key, tokenOf(v), Buffer.from(v.sig, 'hex'));
          const expected = v.result === 'valid' ? true : v.result === 'invalid' ? false : ACCEPTABLE_VERDICT;
          assert.equal(verdict, expected, `tcId ${v.tcId} (${v.result}, ${v.comment || v.flags.join(',')})`);
          checked++;
        }
      }
      assert.equal(checked, count);
    });

    it(`localhsm token verify: all ${count} vectors of the ${bits}-bit file`, async () => {
      let checked = 0;
      for (const [g, group] of groups.entries()) {
        // One token file per key: each vector is one token, its signature as `signed`.
        const tokenFile = path.join(dir, `v${bits}-${g}.json`);
        const keyFile = path.join(dir, `v${bits}-${g}.pub`);
        fs.writeFileSync(keyFile, group.publicKeyPem);
        const tokens = group.tests.map((v) => ({
          unsigned: tokenOf(v).toString('base64'),
          signed: Buffer.from(v.sig, 'hex').toString('base64'),
        }));
        fs.writeFileSync(tokenFile, JSON.stringify({ version: '2.0', tokens }));
        const run = await runLocalhsm([
          'token',
          'verify',
          '--token',
          tokenFile,
          '--public-key',
          keyFile,
          '--json',
        ]);
        const report = JSON.parse(run.stdout) as {
          verified: number;
          total: number;
          tokens: { index: number; status: string }[];
        };
        assert.equal(report.total, group.tests.length);
        group.tests.forEach((v, i) => {
          const status = report.tokens[i]!.status;
          const expected = v.result === 'valid' || (v.result === 'acceptable' && ACCEPTABLE_VERDICT);
          assert.equal(
            status === 'verified',
            expected,
            `tcId ${v.tcId} (${v.result}, ${v.comment || v.flags.join(',')}): ${status}`,
          );
          checked++;
        });
        assert.equal(run.code, report.verified === report.total ? 0 : 1);
      }
      assert.equal(checked, count);
    });
  }

  it('records the acceptable vectors: MissingNull, refused by our strict verifier', () => {
    const acceptable = files.flatMap((f) =>
      f.groups.flatMap((g) => g.tests.filter((v) => v.result === 'acceptable')),
    );
    assert.deepEqual(
      acceptable.map((v) => v.flags),
      [['MissingNull'], ['MissingNull'], ['MissingNull']],
    );
  });
});
