// The cluster masking key on a node: seals private and secret material at rest and the key copies sent between HSMs.
import crypto from 'node:crypto';
import { maskMaterial, unmaskMaterial } from '../../keys/masking.js';
import { formatRef } from './record.js';

/** Every HSM of a cluster (and its clones) holds the same 32-byte key, in `masking.key` in its data directory. */
export class Masking {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the masking key is 32 bytes');
  }
  /** Key material at rest: the reference is bound, so sealed material cannot be moved to another key's row. */
  sealMaterial(ref: number, clear: Buffer): Buffer {
    return maskMaterial(this.key, `material ${formatRef(ref)}`, clear);
  }
  openMaterial(ref: number, sealed: Buffer): Buffer {
    return unmaskMaterial(this.key, `material ${formatRef(ref)}`, sealed);
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
    const macKey = Buffer.from(
      crypto.hkdfSync('sha256', this.key, Buffer.alloc(0), 'localhsm appliance', 32),
    );
    return crypto.createHmac('sha256', macKey).update(message).digest('base64');
  }
}
