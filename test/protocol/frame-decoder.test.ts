// FrameDecoder: frames come out whole and in order however the byte stream is cut into chunks.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { it } from 'node:test';
import { FrameDecoder, encodeFrame } from '../../src/protocol/frames.js';

it('yields the same frames for any chunking of the stream', () => {
  fc.assert(
    fc.property(
      fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 40 }),
      (messages, cuts) => {
        const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
        const decoder = new FrameDecoder();
        const out: unknown[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const size = cuts[i % cuts.length]!;
          for (const e of decoder.push(stream.subarray(at, at + size))) {
            assert.equal(e.kind, 'frame');
            if (e.kind === 'frame') out.push(JSON.parse(e.body.toString('utf8')));
          }
          at += size;
        }
        assert.deepEqual(
          out,
          messages.map((m) => JSON.parse(JSON.stringify(m))),
        );
      },
    ),
    { numRuns: 300 },
  );
});

it('joins a large frame sent in many small chunks, then decodes the next one', () => {
  const big = { users: Array.from({ length: 20_000 }, (_, i) => ({ username: `user_${i}` })) };
  const stream = Buffer.concat([encodeFrame(big), encodeFrame({ next: true })]);
  const decoder = new FrameDecoder(64 * 1024 * 1024);
  const frames = [];
  for (let at = 0; at < stream.length; at += 4096)
    frames.push(...decoder.push(stream.subarray(at, at + 4096)));
  assert.equal(frames.length, 2);
  assert.deepEqual(
    frames.map((f) => (f.kind === 'frame' ? JSON.parse(f.body.toString('utf8')) : f)),
    [big, { next: true }],
  );
});
