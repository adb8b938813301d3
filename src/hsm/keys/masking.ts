// The cluster masking key on a node: seals private and secret material at rest and the key copies sent between HSMs.
import crypto from 'node:crypto';
import { maskMaterial, unmaskMaterial } from '../../keys/masking.js';
import { formatRef } from './record.js';

/** The order of the P-256 group (a private scalar must be below it). */
const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

/** Parsed private keys kept per node: enough for a working set, bounded so deleted keys age out. */
const PRIVATE_KEY_CACHE = 256;

/** Every HSM of a cluster (and its clones) holds the same 32-byte key, in `masking.key` in its data directory. */
export class Masking {
  /** The appliance user's MAC key, derived once from the masking key. */
  private readonly applianceKey: Buffer;
  /** Opened and parsed private keys by reference, with the sealed bytes they came from (least recent first). */
  private readonly privateKeys = new Map<number, { sealed: Buffer; key: crypto.KeyObject }>();

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the masking key is 32 bytes');
    this.applianceKey = Buffer.from(
      crypto.hkdfSync('sha256', key, Buffer.alloc(0), 'localhsm appliance', 32),
    );
  }
  /** Key material at rest: the reference is bound, so sealed material cannot be moved to another key's row. */
  sealMaterial(ref: number, clear: Buffer): Buffer {
    return maskMaterial(this.key, `material ${formatRef(ref)}`, clear);
  }
  openMaterial(ref: number, sealed: Buffer): Buffer {
    return unmaskMaterial(this.key, `material ${formatRef(ref)}`, sealed);
  }
  /**
   * The private key of `ref`, opened and parsed once: signing is the hot path, and opening and parsing the
   * PKCS#8 costs more than an ECDSA signature. A changed sealed value (another key) is opened again.
   */
  openPrivateKey(ref: number, sealed: Buffer): crypto.KeyObject {
    const cached = this.privateKeys.get(ref);
    this.privateKeys.delete(ref);
    const entry =
      cached && cached.sealed.equals(sealed)
        ? cached
        : {
            sealed: Buffer.from(sealed),
            key: crypto.createPrivateKey({
              key: this.openMaterial(ref, sealed),
              format: 'der',
              type: 'pkcs8',
            }),
          };
    this.privateKeys.set(ref, entry);
    if (this.privateKeys.size > PRIVATE_KEY_CACHE)
      this.privateKeys.delete(this.privateKeys.keys().next().value!);
    return entry.key;
  }
  /**
   * A whole key object copied to another HSM of the cluster (the client carries it and can neither read nor
   * change it). Bound to the cluster id: clones share the masking key, but a copy never crosses to a clone,
   * where only key replicate (with its checks) may bring a key.
   */
  sealCopy(clusterId: string, ref: number, clear: Buffer): Buffer {
    return maskMaterial(this.key, `copy ${clusterId} ${formatRef(ref)}`, clear);
  }
  openCopy(clusterId: string, ref: number, sealed: Buffer): Buffer {
    return unmaskMaterial(this.key, `copy ${clusterId} ${formatRef(ref)}`, sealed);
  }
  /**
   * The appliance user's proof (server-side sync, spec §14.1): an HMAC under a key derived from the masking
   * key, which only the HSMs of the cluster (and the operator's tool beside them) hold.
   */
  applianceProof(message: string): string {
    return crypto.createHmac('sha256', this.applianceKey).update(message).digest('base64');
  }
  /**
   * The appliance user's TLS identity (server-side sync under cluster mtls enforcement): a P-256 key derived from
   * the masking key, so every HSM of the cluster (and the operator's tool) derives the same CA key and nobody else can.
   */
  applianceTlsKey(): crypto.KeyObject {
    for (let counter = 0; ; counter++) {
      const d = Buffer.from(
        crypto.hkdfSync('sha256', this.key, Buffer.alloc(0), `localhsm appliance tls ${counter}`, 32),
      );
      // A scalar of 0 or ≥ the group order (probability 2^-32) is skipped for the next derivation.
      if (d.every((b) => b === 0) || d.compare(P256_ORDER) >= 0) continue;
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.setPrivateKey(d);
      const point = ecdh.getPublicKey();
      return crypto.createPrivateKey({
        format: 'jwk',
        key: {
          kty: 'EC',
          crv: 'P-256',
          d: d.toString('base64url'),
          x: point.subarray(1, 33).toString('base64url'),
          y: point.subarray(33, 65).toString('base64url'),
        },
      });
    }
  }
}
