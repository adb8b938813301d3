// Hostile input (fast-check): random wire requests, raw frames, config files and CLI arguments never crash anything.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import fc from 'fast-check';
import { after, before, describe, it } from 'node:test';
import { readConfig } from '../../src/cluster/config.js';
import { HsmError, isErrorCode } from '../../src/errors.js';
import { HsmNode } from '../../src/hsm/node.js';
import { provisionHsm } from '../../src/hsm/provision.js';
import { MemoryStore } from '../../src/hsm/store/memory.js';
import { encodeFrame, FrameDecoder } from '../../src/protocol/frames.js';
import { OPERATIONS } from '../../src/protocol/operations.js';
import { paths } from '../../src/cluster/state-dir.js';
import { runCli, startActivatedCluster, tempDir, type TestCluster } from '../helpers/cluster.js';

function newNode(): HsmNode {
  const store = new MemoryStore();
  provisionHsm(store, {
    hsmId: 'hsm-aaaaaaaaaaa',
    clusterId: 'cluster-aaaaaaaaaaa',
    serialNumber: 'S',
    kdf: 'fast',
  });
  return new HsmNode(store, {
    onInternalError: (op, e) => assert.fail(`internal error in ${op}: ${String(e)}`),
  });
}

const oddStrings = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    'admin',
    'app_user',
    'ADMIN',
    '\u0000',
    '\ud800',
    'a'.repeat(300),
    '../../etc/passwd',
    '__proto__',
    'constructor',
  ),
);
const oddValues = fc.oneof(
  oddStrings,
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 1e308, -0, 0.5, NaN, true, false, null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);
const operationNames = Object.keys(OPERATIONS);
const requests = fc.oneof(
  fc.anything(),
  fc.record({
    v: fc.oneof(fc.constant(1), oddValues),
    id: fc.oneof(fc.nat(), oddValues),
    op: fc.oneof(fc.constantFrom(...operationNames), oddStrings),
    args: fc.oneof(
      fc.dictionary(fc.constantFrom('username', 'role', 'password', 'token', 'signature', 'x'), oddValues),
      oddValues,
    ),
  }),
);

describe('hostile input', () => {
  it('HsmNode.handle answers every random request with a well-formed reply and never throws', async () => {
    const node = newNode();
    const session = node.openSession();
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const reply = await node.handle(request, session);
        assert.equal(reply.v, 1);
        if (!reply.ok) {
          assert.ok(isErrorCode(reply.error.code));
          assert.notEqual(reply.error.code, 'ERR_INTERNAL');
          assert.equal(typeof reply.error.message, 'string');
        }
      }),
      { numRuns: 400 },
    );
    const info = await node.handle({ v: 1, id: 1, op: 'hsm-info', args: {} }, session);
    assert.equal(info.ok, true);
  });

  describe('over TLS', () => {
    let cluster: TestCluster;
    before(async () => {
      cluster = await startActivatedCluster({ hsms: 1 });
    });
    after(() => cluster.close());

    async function exchange(frames: Buffer[]): Promise<number> {
      const hsm = cluster.manifest.hsms[0]!;
      const socket = tls.connect({
        host: hsm.host,
        port: hsm.port,
        ca: fs.readFileSync(paths(cluster.dir).ca),
      });
      await new Promise<void>((resolve, reject) =>
        socket.once('secureConnect', resolve).once('error', reject),
      );
      const decoder = new FrameDecoder();
      let replies = 0;
      socket.on('data', (chunk: Buffer) => (replies += decoder.push(chunk).length));
      for (const f of frames) socket.write(f);
      socket.end();
      await new Promise((resolve) => socket.once('close', resolve));
      return replies;
    }

    it('random frames (garbage, truncated, oversized, duplicate keys) never stop the node', async () => {
      const frameBodies = fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        requests.map((r) => Buffer.from(JSON.stringify(r) ?? 'null')),
        fc.constant(Buffer.from('{"v":1,"id":1,"op":"hsm-info","op":"user-list","args":{}}')),
        fc.constant(Buffer.from('{"v":1,"id":1e999,"op":"login","args":{"username":"admin"}}')),
      );
      const raw = fc.oneof(
        frameBodies.map((body) => {
          const header = Buffer.alloc(4);
          header.writeUInt32BE(body.length);
          return Buffer.concat([header, body]);
        }),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
        fc.constant(Buffer.from([0xff, 0xff, 0xff, 0xff])),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(raw, { minLength: 1, maxLength: 5 }), async (frames) => {
          await exchange(frames);
          const replies = await exchange([encodeFrame({ v: 1, id: 9, op: 'hsm-info', args: {} })]);
          assert.equal(replies, 1, 'the node still answers a valid request on a new connection');
        }),
        { numRuns: 60 },
      );
      const list = await cluster.cli(['user', 'list']);
      assert.equal(list.json?.error_code, 0);
    });
  });

  it('random config files are refused with ERR_CONFIG, never another exception', () => {
    const dir = tempDir('cfg-');
    const file = path.join(dir, 'cloudhsm-cli.cfg');
    try {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.json(),
            fc.jsonValue().map((v) => JSON.stringify({ clusters: [v] })),
          ),
          (text) => {
            fs.writeFileSync(file, text);
            try {
              readConfig(file);
            } catch (error) {
              assert.ok(error instanceof HsmError, String(error));
              assert.equal(error.code, 'ERR_CONFIG');
            }
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('random cloudhsm-cli arguments give a usage error, help or one JSON envelope, never a trace on stdout', async () => {
    const dir = tempDir('args-');
    const words = fc.oneof(
      fc.constantFrom(
        'user',
        'list',
        'create',
        'login',
        'cluster',
        'activate',
        'help',
        '--help',
        '--username',
        '--role',
        'admin',
        '--password',
        '--cluster-id',
        '-h',
        '--',
        '=',
        '--role=admin',
      ),
      oddStrings,
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(words, { maxLength: 6 }), async (argv) => {
          const run = await runCli(argv, { state: dir, input: '' });
          assert.ok([0, 1, 2].includes(run.exitCode), `exit ${run.exitCode}`);
          assert.doesNotMatch(run.stdout, /\n\s+at /);
          if (run.exitCode === 2) assert.equal(run.stdout, '');
          if (run.json) assert.ok(run.json.error_code === 0 || run.json.error_code === 1);
        }),
        { numRuns: 300 },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
