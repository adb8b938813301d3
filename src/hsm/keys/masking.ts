// The cluster masking key on a node: seals private and secret material at rest and the key copies sent between HSMs.
import crypto from 'node:crypto';
import { maskMaterial, unmaskMaterial } from '../../keys/masking.js';
import { formatRef } from './record.js';

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
  /** A whole key object copied to another HSM (the client carries it and can neither read nor change it). */
  sealCopy(ref: number, clear: Buffer): Buffer {
    return maskMaterial(this.key, `copy ${formatRef(ref)}`, clear);
  }
  openCopy(ref: number, sealed: Buffer): Buffer {
    return unmaskMaterial(this.key, `copy ${formatRef(ref)}`, sealed);
  }
  /**
   * The appliance user's proof (server-side sync, spec §14.1): an HMAC under a key derived from the masking
   * key, which only the HSMs of the cluster (and the operator's tool beside them) hold.
   */
  applianceProof(message: string): string {
    return crypto.createHmac('sha256', this.applianceKey).update(message).digest('base64');
  }
}
