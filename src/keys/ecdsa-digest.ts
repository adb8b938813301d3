// ECDSA over a caller-computed digest (`--data-type digest`): Node's crypto only signs and verifies messages
// it hashes itself, so these two functions do the ECDSA equations (FIPS 186-5 §6.4) with BigInt, taking k·G
// from OpenSSL's own scalar multiplication (ECDH) so the secret nonce never meets a variable-time ladder.
//
// API: ecdsaSignDigest(privateKey, digest): Buffer (r‖s), ecdsaVerifyDigest(publicKey, digest, rs): boolean
import crypto from 'node:crypto';
import { derChildren } from './der.js';

interface CurveParams {
  p: bigint;
  a: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
  bytes: number;
}

const h = (s: string) => BigInt('0x' + s);

function params(p: string, a: string, n: string, g: string, bytes: number): CurveParams {
  return { p: h(p), a: h(a), n: h(n), gx: h(g.slice(0, bytes * 2)), gy: h(g.slice(bytes * 2)), bytes };
}

// Domain parameters as `openssl ecparam -param_enc explicit -text` prints them.
const CURVES: Record<string, CurveParams> = {
  secp224r1: params(
    'ffffffffffffffffffffffffffffffff000000000000000000000001',
    'fffffffffffffffffffffffffffffffefffffffffffffffffffffffe',
    'ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d',
    'b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34',
    28,
  ),
  prime256v1: params(
    'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff',
    'ffffffff00000001000000000000000000000000fffffffffffffffffffffffc',
    'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
    '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
    32,
  ),
  secp256k1: params(
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f',
    '0',
    'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141',
    '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8',
    32,
  ),
  secp384r1: params(
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff',
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc',
    'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    'aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab73617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f',
    48,
  ),
  secp521r1: params(
    '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc',
    '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
    '00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650',
    66,
  ),
};

const mod = (x: bigint, m: bigint) => ((x % m) + m) % m;

function inv(x: bigint, m: bigint): bigint {
  let [a, b, u, v] = [mod(x, m), m, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b] = [b, a - q * b];
    [u, v] = [v, u - q * v];
  }
  return mod(u, m);
}

const toBig = (b: Buffer) => (b.length === 0 ? 0n : BigInt('0x' + b.toString('hex')));
const toBytes = (x: bigint, len: number) => Buffer.from(x.toString(16).padStart(len * 2, '0'), 'hex');

type Point = { x: bigint; y: bigint } | null;

function add(c: CurveParams, P: Point, Q: Point): Point {
  if (!P) return Q;
  if (!Q) return P;
  let l: bigint;
  if (P.x === Q.x) {
    if (mod(P.y + Q.y, c.p) === 0n) return null;
    l = mod((3n * P.x * P.x + c.a) * inv(2n * P.y, c.p), c.p);
  } else l = mod((Q.y - P.y) * inv(Q.x - P.x, c.p), c.p);
  const x = mod(l * l - P.x - Q.x, c.p);
  return { x, y: mod(l * (P.x - x) - P.y, c.p) };
}

/** Variable-time double-and-add: used only with public scalars (verification). */
function mul(c: CurveParams, k: bigint, P: Point): Point {
  let R: Point = null;
  for (let Q = P; k > 0n; k >>= 1n, Q = add(c, Q, Q)) if (k & 1n) R = add(c, R, Q);
  return R;
}

function curveOf(key: crypto.KeyObject): [string, CurveParams] {
  const name = key.asymmetricKeyDetails?.namedCurve ?? '';
  const c = CURVES[name];
  if (!c) throw new Error(`unsupported curve ${name}`);
  return [name, c];
}

/** The digest as an integer, truncated to the bit length of n (FIPS 186-5 §6.4.1 step 2). */
function digestInt(c: CurveParams, digest: Buffer): bigint {
  const nBits = c.n.toString(2).length;
  const e = toBig(digest);
  const excess = digest.length * 8 - nBits;
  return excess > 0 ? e >> BigInt(excess) : e;
}

/** Per key object, its private scalar (exporting it costs as much as the rest of a signature). */
const scalars = new WeakMap<crypto.KeyObject, bigint>();
/** One ECDH object per curve, reused for k·G (JavaScript runs one signature at a time). */
const multipliers = new Map<string, crypto.ECDH>();

export function ecdsaSignDigest(privateKey: crypto.KeyObject, digest: Buffer): Buffer {
  const [name, c] = curveOf(privateKey);
  let d = scalars.get(privateKey);
  if (d === undefined) {
    d = toBig(derChildren(privateKey.export({ type: 'sec1', format: 'der' }))[1]!.body);
    scalars.set(privateKey, d);
  }
  const nBytes = Math.ceil(c.n.toString(16).length / 2);
  const e = digestInt(c, digest);
  let ecdh = multipliers.get(name);
  if (!ecdh) multipliers.set(name, (ecdh = crypto.createECDH(name)));
  for (;;) {
    const k = mod(toBig(crypto.randomBytes(nBytes + 16)), c.n - 1n) + 1n;
    ecdh.setPrivateKey(toBytes(k, nBytes));
    const kG = ecdh.getPublicKey();
    const r = mod(toBig(kG.subarray(1, 1 + c.bytes)), c.n);
    if (r === 0n) continue;
    const s = mod(inv(k, c.n) * (e + r * d), c.n);
    if (s === 0n) continue;
    return Buffer.concat([toBytes(r, nBytes), toBytes(s, nBytes)]);
  }
}

export function ecdsaVerifyDigest(publicKey: crypto.KeyObject, digest: Buffer, rs: Buffer): boolean {
  const [, c] = curveOf(publicKey);
  const nBytes = Math.ceil(c.n.toString(16).length / 2);
  if (rs.length !== 2 * nBytes) return false;
  const r = toBig(rs.subarray(0, nBytes));
  const s = toBig(rs.subarray(nBytes));
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const point = spki.subarray(spki.length - (1 + 2 * c.bytes));
  const Q = { x: toBig(point.subarray(1, 1 + c.bytes)), y: toBig(point.subarray(1 + c.bytes)) };
  const w = inv(s, c.n);
  const e = digestInt(c, digest);
  const R = add(c, mul(c, mod(e * w, c.n), { x: c.gx, y: c.gy }), mul(c, mod(r * w, c.n), Q));
  return R !== null && mod(R.x, c.n) === r;
}
