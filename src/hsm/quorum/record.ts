// The 80-byte record one HSM contributes to a quorum token's approval_data (layout decoded from the spec §5.4 sample).
import crypto from 'node:crypto';
import { APPROVAL_RECORD_BYTES } from '../../protocol/quorum.js';

/**
 * Offsets: 0 `00 01` version · 2 service code (2 bytes) · 4 token handle (4 bytes, HSM-specific) ·
 * 8 zeros (8) · 16 random (16) · 32 username, NUL-padded (32) · 64 Unix time, big-endian (8) · 72 zeros (8).
 */
const VERSION = 1;
const USERNAME_OFFSET = 32;
const USERNAME_BYTES = 32;

/** Ours: the sample's `00 03` is taken to be `user` (the admin workflow page generates a user token). */
export const SERVICE_CODES = {
  registration: 1,
  quorum: 2,
  user: 3,
  cluster: 4,
  'key-management': 5,
  'key-usage': 6,
} as const;
export type RecordService = keyof typeof SERVICE_CODES;

export function buildRecord(service: RecordService, handle: number, username: string, nowMs: number): Buffer {
  const record = Buffer.alloc(APPROVAL_RECORD_BYTES);
  record.writeUInt16BE(VERSION, 0);
  record.writeUInt16BE(SERVICE_CODES[service], 2);
  record.writeUInt32BE(handle >>> 0, 4);
  crypto.randomFillSync(record, 16, 16);
  const name = Buffer.from(username, 'utf8');
  if (name.length >= USERNAME_BYTES) throw new Error('username too long for a quorum record');
  name.copy(record, USERNAME_OFFSET);
  record.writeBigUInt64BE(BigInt(Math.floor(nowMs / 1000)), 64);
  return record;
}

/** A record of a registration token (the version and service code of buildRecord). */
export function isRegistrationRecord(record: Buffer): boolean {
  return (
    record.length === APPROVAL_RECORD_BYTES &&
    record.readUInt16BE(0) === VERSION &&
    record.readUInt16BE(2) === SERVICE_CODES.registration
  );
}

/** The records of an approval_data: whole 80-byte chunks, or undefined when the length is not a multiple of 80. */
export function splitRecords(approvalData: Buffer): Buffer[] | undefined {
  if (approvalData.length === 0 || approvalData.length % APPROVAL_RECORD_BYTES !== 0) return undefined;
  const records: Buffer[] = [];
  for (let at = 0; at < approvalData.length; at += APPROVAL_RECORD_BYTES) {
    records.push(approvalData.subarray(at, at + APPROVAL_RECORD_BYTES));
  }
  return records;
}
