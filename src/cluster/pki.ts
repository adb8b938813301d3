// Cluster PKI: a cluster CA (customerCA.crt) and one TLS certificate per HSM node, signed by it.
// Built with node:crypto and a small DER writer: an X.509 library took longer to load (~130 ms) than
// `localhsm up` spends on everything else before starting the nodes.
import crypto from 'node:crypto';
import net from 'node:net';

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export interface PemPair {
  cert: string;
  key: string;
}

// ---- DER (X.690) encoding of the few types a certificate needs ----

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const octetString = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const boolean = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));

/** A non-negative INTEGER from big-endian bytes, in its minimal two's-complement form. */
function integer(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && bytes[i + 1]! < 0x80) i++;
  const body = bytes.subarray(i);
  return tlv(0x02, body[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body);
}
const smallInteger = (n: number) => integer(Buffer.from([n]));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** PrintableString when the text allows it (as X.509 libraries choose), else UTF8String. */
function directoryString(text: string): Buffer {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)
    ? tlv(0x13, Buffer.from(text, 'ascii'))
    : tlv(0x0c, Buffer.from(text, 'utf8'));
}

/** RFC 5280 validity: UTCTime through 2049, GeneralizedTime after; whole seconds, UTC. */
function time(date: Date): Buffer {
  const iso = date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:T]/g, '');
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(iso, 'ascii'));
}

// ---- X.509 ----

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** `CN=<cn>, O=LocalHSM` as a Name (one attribute per RDN, in that order). */
function name(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(OID.commonName), directoryString(commonName))),
    set(sequence(oid(OID.organization), directoryString('LocalHSM'))),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

/** KeyUsage BIT STRING with the named bits (0 = digitalSignature ... 6 = cRLSign), minimal length. */
function keyUsage(bits: readonly number[]): Buffer {
  const value = bits.reduce((v, bit) => v | (0x80 >> bit), 0);
  let unused = 0;
  while (unused < 7 && !(value & (1 << unused))) unused++;
  return tlv(0x03, Buffer.from([unused, value]));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(publicKey: crypto.KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // An uncompressed P-256 point is the last 65 bytes of its SPKI.
  return crypto
    .createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

function serialNumber(): Buffer {
  const bytes = crypto.randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes;
}

function signCertificate(tbs: Buffer, signingKey: crypto.KeyObject): string {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const signature = crypto.sign('sha256', tbs, { key: signingKey, dsaEncoding: 'der' });
  const der = sequence(tbs, algorithm, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

interface CertificateFields {
  subject: string;
  issuer: Buffer;
  publicKey: crypto.KeyObject;
  signingKey: crypto.KeyObject;
  extensions: Buffer[];
}

function certificate(fields: CertificateFields): string {
  const now = Date.now();
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    integer(serialNumber()),
    sequence(oid(OID.ecdsaWithSha256)),
    fields.issuer,
    sequence(time(new Date(now - 60_000)), time(new Date(now + TEN_YEARS_MS))),
    name(fields.subject),
    fields.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...fields.extensions)),
  );
  return signCertificate(tbs, fields.signingKey);
}

const newKeyPair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkcs8 = (key: crypto.KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

export async function createClusterCa(clusterId: string): Promise<PemPair> {
  const keys = newKeyPair();
  const subject = `LocalHSM cluster CA ${clusterId}`;
  const cert = certificate({
    subject,
    issuer: name(subject),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true), smallInteger(0))),
      extension(OID.keyUsage, true, keyUsage([5, 6])),
      extension(OID.subjectKeyId, false, octetString(keyIdentifier(keys.publicKey))),
    ],
  });
  return { cert, key: pkcs8(keys.privateKey) };
}

/** A server certificate for one HSM, valid for localhost, 127.0.0.1, ::1 and any extra host names or IPs. */
export async function issueNodeCert(
  ca: PemPair,
  hsmId: string,
  hosts: readonly string[] = [],
): Promise<PemPair> {
  const caCert = new crypto.X509Certificate(ca.cert);
  const caKey = crypto.createPrivateKey(ca.key);
  const keys = newKeyPair();
  const names = new Set(['localhost', '127.0.0.1', '::1', ...hosts]);
  const sans = [...names].map((n) =>
    net.isIP(n) !== 0 ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii')),
  );
  const cert = certificate({
    subject: hsmId,
    issuer: issuerName(caCert),
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, keyUsage([0])),
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(...sans)),
      extension(OID.authorityKeyId, false, sequence(tlv(0x80, keyIdentifier(caCert.publicKey)))),
    ],
  });
  return { cert, key: pkcs8(keys.privateKey) };
}

/**
 * A CA for cluster mtls client certificates (the trust anchor to register with `cluster mtls
 * register-trust-anchor`), apart from the cluster CA that signs the HSMs' server certificates.
 */
export async function createClientCa(
  subject: string,
  /** A given key (the appliance CA's, derived from the masking key) instead of a new one. */
  privateKey?: crypto.KeyObject,
): Promise<PemPair> {
  const keys = privateKey ? { privateKey, publicKey: crypto.createPublicKey(privateKey) } : newKeyPair();
  const cert = certificate({
    subject,
    issuer: name(subject),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true), smallInteger(0))),
      extension(OID.keyUsage, true, keyUsage([5, 6])),
      extension(OID.subjectKeyId, false, octetString(keyIdentifier(keys.publicKey))),
    ],
  });
  return { cert, key: pkcs8(keys.privateKey) };
}

/** A client certificate (TLS client authentication) signed by `ca`, for cloudhsm-cli's client_cert_hsm_tls_file. */
export async function issueClientCert(ca: PemPair, subject: string): Promise<PemPair> {
  const caCert = new crypto.X509Certificate(ca.cert);
  const keys = newKeyPair();
  const cert = certificate({
    subject,
    issuer: issuerName(caCert),
    publicKey: keys.publicKey,
    signingKey: crypto.createPrivateKey(ca.key),
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, keyUsage([0])),
      extension(OID.extKeyUsage, false, sequence(oid(OID.clientAuth))),
      extension(OID.authorityKeyId, false, sequence(tlv(0x80, keyIdentifier(caCert.publicKey)))),
    ],
  });
  return { cert, key: pkcs8(keys.privateKey) };
}

/** The CA's subject Name, byte for byte as it is in the CA certificate (issuer must match it exactly). */
function issuerName(caCert: crypto.X509Certificate): Buffer {
  const der = caCert.raw;
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version, serial, sigAlg, issuer, validity, subject ...
  let offset = headerLength(der, 0);
  offset += headerLength(der, offset);
  for (let field = 0; field < 5; field++) offset += elementLength(der, offset);
  return der.subarray(offset, offset + elementLength(der, offset));
}

function headerLength(der: Buffer, offset: number): number {
  const first = der[offset + 1]!;
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

function elementLength(der: Buffer, offset: number): number {
  const first = der[offset + 1]!;
  if (first < 0x80) return 2 + first;
  let n = 0;
  for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + der[offset + 2 + i]!;
  return headerLength(der, offset) + n;
}

/** An IPv4 or IPv6 address as the 4 or 16 bytes of an iPAddress SAN. */
function ipBytes(address: string): Buffer {
  if (net.isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!net.isIPv6(address)) throw new Error(`${address} is not an IP address`);
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number);
    text =
      text.slice(0, -v4[1]!.length) + `${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all =
    tail === undefined ? groups(head) : [...groups(head), ...Array(missing).fill('0'), ...groups(tail)];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
