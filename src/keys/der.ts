// The few DER encoders the key files need (lengths, INTEGER, OCTET STRING, SEQUENCE), kept tiny and local.
//
// API: derTlv(tag, body), derInteger(bigEndianBytes), derSequence(...parts), pemBlock(label, der)

export function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function derTlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/** A non-negative INTEGER from its big-endian bytes (leading zeros dropped, a sign byte added if needed). */
export function derInteger(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let body = bytes.subarray(i);
  if (body.length === 0) body = Buffer.from([0]);
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return derTlv(0x02, body);
}

export function derSequence(...parts: Buffer[]): Buffer {
  return derTlv(0x30, Buffer.concat(parts));
}

/** PEM armour with 64-character lines, as openssl writes it. */
export function pemBlock(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export interface DerElement {
  tag: number;
  body: Buffer;
}

/** The elements of a DER SEQUENCE's body (one level; no validation beyond lengths). */
export function derChildren(der: Buffer): DerElement[] {
  const [outer] = derElements(der);
  if (!outer || outer.tag !== 0x30) throw new Error('not a DER SEQUENCE');
  return derElements(outer.body);
}

function derElements(buf: Buffer): DerElement[] {
  const out: DerElement[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const tag = buf[pos]!;
    let len = buf[pos + 1]!;
    let start = pos + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
      start += n;
    }
    if (start + len > buf.length) throw new Error('truncated DER');
    out.push({ tag, body: buf.subarray(start, start + len) });
    pos = start + len;
  }
  return out;
}
