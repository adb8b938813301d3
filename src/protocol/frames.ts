// Request and reply envelopes on the wire, and the length-prefixed framing that carries them.
import { z } from 'zod';
import { type ErrorCode, isErrorCode } from '../errors.js';

export const PROTOCOL_VERSION = 1;
/** Largest accepted request body (1 MiB); larger frames are refused and the connection closed. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Largest reply a client accepts: a user list of 100,000 users is about 9 MiB. */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;
const HEADER_BYTES = 4;

export const RequestSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    op: z.string().min(1).max(64),
    args: z.unknown(),
  })
  .strict();
export type Request = z.infer<typeof RequestSchema>;

export interface WireError {
  code: ErrorCode;
  message: string;
  params: Record<string, string | number>;
}
export type Reply =
  | { v: 1; id: number | null; ok: true; result: unknown }
  | { v: 1; id: number | null; ok: false; error: WireError };

const ReplySchema = z.union([
  z.object({ v: z.literal(1), id: z.number().nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    v: z.literal(1),
    id: z.number().nullable(),
    ok: z.literal(false),
    error: z.object({
      code: z.string().refine(isErrorCode),
      message: z.string(),
      params: z.record(z.string(), z.union([z.string(), z.number()])),
    }),
  }),
]);

export function parseReply(body: unknown): Reply | undefined {
  const parsed = ReplySchema.safeParse(body);
  return parsed.success ? (parsed.data as Reply) : undefined;
}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

export type FrameEvent = { kind: 'frame'; body: Buffer } | { kind: 'oversized'; size: number };

/** Splits a byte stream into frames; reports a frame whose declared size exceeds the limit. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  /** Chunks of an incomplete frame not yet joined: a large reply arrives in many chunks, joined once. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Total size (header + body) of the frame being awaited, once its header is known. */
  private awaited = 0;

  constructor(private readonly limit = MAX_FRAME_BYTES) {}

  /** Whether part of a frame has arrived and the rest has not (the node times such a frame out). */
  get partial(): boolean {
    return this.buffered.length + this.pendingBytes > 0;
  }

  push(chunk: Buffer): FrameEvent[] {
    if (this.awaited > 0 && this.buffered.length + this.pendingBytes + chunk.length < this.awaited) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      return [];
    }
    this.buffered = Buffer.concat([this.buffered, ...this.pending, chunk]);
    this.pending = [];
    this.pendingBytes = 0;
    this.awaited = 0;
    const events: FrameEvent[] = [];
    while (this.buffered.length >= HEADER_BYTES) {
      const size = this.buffered.readUInt32BE(0);
      if (size > this.limit) {
        events.push({ kind: 'oversized', size });
        this.buffered = Buffer.alloc(0);
        return events;
      }
      if (this.buffered.length < HEADER_BYTES + size) {
        this.awaited = HEADER_BYTES + size;
        break;
      }
      events.push({ kind: 'frame', body: this.buffered.subarray(HEADER_BYTES, HEADER_BYTES + size) });
      this.buffered = this.buffered.subarray(HEADER_BYTES + size);
    }
    return events;
  }
}
