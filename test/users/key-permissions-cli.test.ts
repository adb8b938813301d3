// The key plane's permission matrix through the CLI (issue 16): each key and crypto command x {logged out, admin,
// owner, shared crypto user, other crypto user}, asserting the exact envelope each one prints.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type TestCluster, startActivatedCluster, tempDir } from '../helpers/cluster.js';

const PASS = 'crypto-pass-1';
type Actor = 'none' | 'admin' | 'owner' | 'shared' | 'other';
const ACTORS: Actor[] = ['none', 'admin', 'owner', 'shared', 'other'];
type Envelope = { error_code: number; data: unknown };

const fail = (data: string): Envelope => ({ error_code: 1, data });
const NOT_LOGGED_IN = fail('You must be logged in to perform this operation');
const NOT_OWNER = fail('Only the owner of the key can perform this operation');
const NO_KEY = fail(
  'Key selection criteria matched 0 keys. Refine selection criteria to select a single key.',
);
const denied = (action: string) => fail(`Permission denied: the admin role cannot ${action}`);

/** One row: the command line for a fresh key pair (labels `pub` / `priv`), and each actor's envelope. */
interface Row {
  name: string;
  args: (labels: { pub: string; priv: string }, work: string) => string[];
  expect: Record<Actor, Envelope | 'ok'>;
}

const ROWS: Row[] = [
  {
    name: 'key generate-symmetric aes',
    args: ({ priv }) => [
      'key',
      'generate-symmetric',
      'aes',
      '--label',
      `${priv}-new`,
      '--key-length-bytes',
      '16',
    ],
    expect: { none: NOT_LOGGED_IN, admin: denied('generate keys'), owner: 'ok', shared: 'ok', other: 'ok' },
  },
  {
    name: 'key delete (private key)',
    args: ({ priv }) => ['key', 'delete', '--filter', `attr.label=${priv}`],
    expect: {
      none: NOT_LOGGED_IN,
      admin: denied('delete keys'),
      owner: { error_code: 0, data: { message: 'Key deleted successfully' } },
      shared: NOT_OWNER,
      other: NO_KEY,
    },
  },
  {
    name: 'key delete (public key)',
    args: ({ pub }) => ['key', 'delete', '--filter', `attr.label=${pub}`],
    expect: {
      none: NOT_LOGGED_IN,
      admin: denied('delete keys'),
      owner: { error_code: 0, data: { message: 'Key deleted successfully' } },
      shared: NOT_OWNER,
      other: NOT_OWNER,
    },
  },
  {
    name: 'key share',
    args: ({ priv }) => [
      'key',
      'share',
      '--filter',
      `attr.label=${priv}`,
      '--username',
      'carol',
      '--role',
      'crypto-user',
    ],
    expect: {
      none: NOT_LOGGED_IN,
      admin: denied('share keys'),
      owner: { error_code: 0, data: { message: 'Key shared successfully' } },
      shared: NOT_OWNER,
      other: NO_KEY,
    },
  },
  {
    name: 'key unshare',
    args: ({ priv }) => [
      'key',
      'unshare',
      '--filter',
      `attr.label=${priv}`,
      '--username',
      'shared',
      '--role',
      'crypto-user',
    ],
    expect: {
      none: NOT_LOGGED_IN,
      admin: denied('unshare keys'),
      owner: { error_code: 0, data: { message: 'Key unshared successfully' } },
      shared: NOT_OWNER,
      other: NO_KEY,
    },
  },
  {
    name: 'key set-attribute label',
    args: ({ priv }) => [
      'key',
      'set-attribute',
      '--filter',
      `attr.label=${priv}`,
      '--name',
      'label',
      '--value',
      `${priv}-x`,
    ],
    expect: {
      none: NOT_LOGGED_IN,
      admin: denied('set the key attribute label'),
      owner: { error_code: 0, data: { message: 'Attribute set successfully' } },
      shared: NOT_OWNER,
      other: NO_KEY,
    },
  },
  {
    name: 'key set-attribute trusted',
    args: ({ priv }) => [
      'key',
      'set-attribute',
      '--filter',
      `attr.label=${priv}`,
      '--name',
      'trusted',
      '--value',
      'true',
    ],
    expect: {
      none: NOT_LOGGED_IN,
      admin: { error_code: 0, data: { message: 'Attribute set successfully' } },
      owner: fail('Attribute trusted cannot be set to the value true by the user for this operation'),
      shared: NOT_OWNER,
      other: NO_KEY,
    },
  },
  {
    name: 'key generate-file pem (public key)',
    args: ({ pub }, work) => [
      'key',
      'generate-file',
      '--encoding',
      'pem',
      '--path',
      path.join(work, `${pub}.pem`),
      '--filter',
      `attr.label=${pub}`,
    ],
    expect: {
      none: NOT_LOGGED_IN,
      admin: denied('export keys'),
      owner: { error_code: 0, data: { message: 'Successfully generated key file' } },
      shared: NOT_OWNER,
      other: NOT_OWNER,
    },
  },
  {
    name: 'key generate-file reference-pem (private key)',
    args: ({ priv }, work) => [
      'key',
      'generate-file',
      '--encoding',
      'reference-pem',
      '--path',
      path.join(work, `${priv}.pem`),
      '--filter',
      `attr.label=${priv}`,
    ],
    expect: {
      none: NOT_LOGGED_IN,
      admin: denied('export keys'),
      owner: { error_code: 0, data: { message: 'Successfully generated key file' } },
      shared: NOT_OWNER,
      other: NO_KEY,
    },
  },
  {
    name: 'crypto sign ecdsa',
    args: ({ priv }) => [
      'crypto',
      'sign',
      'ecdsa',
      '--key-filter',
      `attr.label=${priv}`,
      '--hash-function',
      'sha256',
      '--data',
      'YWJj',
    ],
    expect: { none: NOT_LOGGED_IN, admin: denied('sign'), owner: 'ok', shared: 'ok', other: NO_KEY },
  },
  {
    name: 'crypto verify ecdsa',
    args: ({ pub }) => [
      'crypto',
      'verify',
      'ecdsa',
      '--key-filter',
      `attr.label=${pub}`,
      '--hash-function',
      'sha256',
      '--data',
      'YWJj',
      '--signature',
      'SIGNATURE',
    ],
    expect: {
      none: NOT_LOGGED_IN,
      admin: denied('verify'),
      owner: { error_code: 0, data: { message: 'Signature verified successfully' } },
      shared: { error_code: 0, data: { message: 'Signature verified successfully' } },
      other: { error_code: 0, data: { message: 'Signature verified successfully' } },
    },
  },
];

describe('key permission matrix, through the CLI', () => {
  let c: TestCluster;
  const work = tempDir('localhsm-key-perm-cli-');
  const login = (actor: Actor) =>
    actor === 'none'
      ? undefined
      : actor === 'admin'
        ? (['admin', 'admin', ADMIN_PASSWORD] as const)
        : (['crypto-user', actor, PASS] as const);
  const run = async (actor: Actor, args: string[]) => {
    const who = login(actor);
    const r = who ? await c.as(who[0], who[1], who[2], args) : await c.cli(args);
    return { ...r, envelope: JSON.parse(r.stdout) as Envelope };
  };
  let n = 0;
  /** A fresh EC pair of `owner`, shared with `shared`; its private key has signed `abc` (base64 YWJj). */
  const freshPair = async () => {
    const labels = { pub: `pub-${++n}`, priv: `priv-${n}` };
    const made = await run('owner', [
      'key',
      'generate-asymmetric-pair',
      'ec',
      '--curve',
      'secp256r1',
      '--public-label',
      labels.pub,
      '--private-label',
      labels.priv,
      '--public-attributes',
      'verify=true',
      '--private-attributes',
      'sign=true',
      '--share-crypto-users',
      'shared',
    ]);
    assert.equal(made.envelope.error_code, 0, made.stdout + made.stderr);
    const signed = await run('owner', [
      'crypto',
      'sign',
      'ecdsa',
      '--key-filter',
      `attr.label=${labels.priv}`,
      '--hash-function',
      'sha256',
      '--data',
      'YWJj',
    ]);
    return { labels, signature: (signed.envelope.data as { signature: string }).signature };
  };

  before(async () => {
    c = await startActivatedCluster({ hsms: 2 });
    for (const u of ['owner', 'shared', 'other', 'carol']) {
      const r = await c.as('admin', 'admin', ADMIN_PASSWORD, [
        'user',
        'create',
        '--username',
        u,
        '--role',
        'crypto-user',
        '--password',
        PASS,
      ]);
      assert.equal(r.json?.error_code, 0, r.stdout + r.stderr);
    }
  });
  after(async () => {
    await c.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  for (const row of ROWS) {
    it(`${row.name}: ${ACTORS.map((a) => `${a} ${row.expect[a] === 'ok' ? 'ok' : (row.expect[a] as Envelope).error_code === 0 ? 'ok' : 'refused'}`).join(', ')}`, async () => {
      const got: Record<string, unknown> = {};
      const wanted: Record<string, unknown> = {};
      for (const actor of ACTORS) {
        const { labels, signature } = await freshPair();
        const args = row.args(labels, work).map((a) => (a === 'SIGNATURE' ? signature : a));
        const r = await run(actor, args);
        const expected = row.expect[actor];
        got[actor] = expected === 'ok' ? r.envelope.error_code : r.envelope;
        wanted[actor] = expected === 'ok' ? 0 : expected;
        assert.equal(r.exitCode, r.envelope.error_code, `${actor}: exit status follows error_code`);
      }
      assert.deepEqual(got, wanted);
    });
  }

  it('key list: the admin sees references and labels only, the other crypto user public keys only', async () => {
    const { labels } = await freshPair();
    const filter = ['--filter', `attr.label=${labels.priv}`];
    assert.deepEqual((await run('none', ['key', 'list'])).envelope, NOT_LOGGED_IN);
    const admin = (await run('admin', ['key', 'list', ...filter, '--verbose'])).envelope;
    assert.deepEqual(Object.keys((admin.data as any).matched_keys[0]), ['key-reference', 'attributes']);
    assert.deepEqual((admin.data as any).matched_keys[0].attributes, { label: labels.priv });
    for (const actor of ['owner', 'shared'] as const)
      assert.equal(
        ((await run(actor, ['key', 'list', ...filter])).envelope.data as any).total_key_count,
        1,
        actor,
      );
    assert.deepEqual((await run('other', ['key', 'list', ...filter])).envelope, {
      error_code: 0,
      data: { matched_keys: [], total_key_count: 0, returned_key_count: 0 },
    });
    const pub = (await run('other', ['key', 'list', '--filter', `attr.label=${labels.pub}`])).envelope;
    assert.equal((pub.data as any).total_key_count, 1);
  });
});
