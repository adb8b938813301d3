// The cluster masking key on a node: seals private and secret material at rest and the key copies sent between HSMs.
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
}
