// Tab completion of key labels and references in key filters (src/cli/key-completion.ts through completeWithKeys):
// asked from the HSMs under the session's login with key-list only, cached briefly, nothing when logged out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterClient } from '../../src/cluster/cluster.js';
import { cliTree } from '../../src/cli/registry.js';
import { KeyCompletion } from '../../src/cli/key-completion.js';
import { complete, completeWithKeys } from '../../src/cli/shell.js';

const tree = cliTree('');
const KEYS = [
  { ref: '0x0000000000000011', label: 'alpha', session: false },
  { ref: '0x0000000000000012', label: 'alps', session: false },
  { ref: '0x0000000000000203', label: 'beta', session: true },
  { ref: '0x0000000000000204', label: 'with space', session: false },
];

/** A cluster of two HSMs answering key-list with KEYS; records every request. */
function fakeCluster(loggedIn: boolean) {
  const calls: { op: string; args: unknown }[] = [];
  const connection = { loggedInAs: loggedIn ? { username: 'alice', role: 'crypto-user' } : undefined };
  const cluster = {
    connections: [connection, connection],
    async on(connections: unknown[], op: string, args: unknown) {
      calls.push({ op, args });
      return connections.map((c) => ({ ok: true, connection: c, value: { keys: KEYS, total: KEYS.length } }));
    },
  } as unknown as ClusterClient;
  return { cluster, calls };
}

describe('completion of key labels and references', () => {
  it('offers the labels and references the HSMs list, in every key filter option', async () => {
    const { cluster, calls } = fakeCluster(true);
    const keys = new KeyCompletion(() => cluster);
    const cases: [string, string[], string][] = [
      [
        'key delete --filter attr.label=',
        ['attr.label=alpha', 'attr.label=alps', 'attr.label=beta'],
        'attr.label=',
      ],
      ['key delete --filter attr.label=al', ['attr.label=alpha', 'attr.label=alps'], 'attr.label=al'],
      // A later word of the filter, after another attribute.
      ['key set-attribute --filter attr.class=secret-key attr.label=b', ['attr.label=beta'], 'attr.label=b'],
      [
        'crypto sign rsa-pkcs --key-filter key-reference=0x00000000000000',
        ['key-reference=0x0000000000000011', 'key-reference=0x0000000000000012'],
        'key-reference=0x00000000000000',
      ],
      [
        'key share --filter attr.key-reference=0x0000000000000203',
        ['attr.key-reference=0x0000000000000203'],
        'attr.key-reference=0x0000000000000203',
      ],
      [
        'key wrap aes-gcm --payload-filter attr.label=alpha --wrapping-filter attr.label=alp',
        ['attr.label=alpha', 'attr.label=alps'],
        'attr.label=alp',
      ],
      // Right after the option: the two forms this completes.
      ['key delete --filter ', ['attr.label=', 'key-reference='], ''],
      ['key delete --filter k', ['key-reference='], 'k'],
    ];
    for (const [line, hits, partial] of cases) {
      const [got, word] = await completeWithKeys(tree, line, keys);
      assert.equal(word, partial, line);
      assert.deepEqual([...got].sort(), [...hits].sort(), line);
    }
    // Only key-list, and only once for all those Tabs (cached); a label a shell word cannot hold is not offered.
    assert.deepEqual(
      calls.map((c) => c.op),
      ['key-list'],
    );
  });

  it('leaves every other value and word to the spec, as complete() does', async () => {
    const { cluster, calls } = fakeCluster(true);
    const keys = new KeyCompletion(() => cluster);
    for (const line of [
      'user create --username bob --role ',
      'key delete --filter attr.label=alpha --',
      'key delete --filter attr.label=alpha ',
      'key ',
      'quorum token-sign generate --service u',
    ])
      assert.deepEqual(await completeWithKeys(tree, line, keys), complete(tree, line), line);
    assert.deepEqual(calls, []);
  });

  it('asks nothing and offers nothing when no one is logged in', async () => {
    const { cluster, calls } = fakeCluster(false);
    const keys = new KeyCompletion(() => cluster);
    assert.deepEqual(await completeWithKeys(tree, 'key delete --filter attr.label=', keys), [
      [],
      'attr.label=',
    ]);
    assert.deepEqual(calls, []);
    const none = new KeyCompletion(() => {
      throw new Error('no config');
    });
    assert.deepEqual(await completeWithKeys(tree, 'key delete --filter attr.label=', none), [
      [],
      'attr.label=',
    ]);
  });

  it('asks the HSMs again after a few seconds or after a command (clear)', async () => {
    const { cluster, calls } = fakeCluster(true);
    let now = 0;
    const keys = new KeyCompletion(
      () => cluster,
      () => now,
    );
    const tab = () => completeWithKeys(tree, 'key delete --filter attr.label=', keys);
    await tab();
    now += 4_000;
    await tab();
    assert.equal(calls.length, 1);
    now += 2_000;
    await tab();
    assert.equal(calls.length, 2);
    keys.clear();
    await tab();
    assert.equal(calls.length, 3);
  });
});
