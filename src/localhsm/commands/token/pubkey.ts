// localhsm token pubkey: the SPKI PEM public key of a signing key (PEM private key or PKCS#11 token), to
// register with `user change-mfa token-sign` or `user change-quorum token-sign register`.
import { writeFileAtomic } from '../../../files/atomic-write.js';
import { LOCAL_PEM_OPTIONS, PKCS11_OPTIONS, PKCS11_REQUIRES } from '../../../signers/options.js';
import { keyFingerprint } from '../../../signers/signer.js';
import { keySizeWarning } from '../../../tokens/private-key.js';
import { toSpkiPem } from '../../../tokens/token-sign.js';
import { localCommand } from '../../context.js';
import { withLocalSigner } from '../../signing.js';

export const tokenPubkeyCommand = localCommand({
  path: ['token', 'pubkey'],
  about:
    'Export the public key (SPKI PEM) of a token-sign private key held in a PEM file or on a PKCS#11 token',
  options: [
    ...LOCAL_PEM_OPTIONS,
    ...PKCS11_OPTIONS,
    { long: 'out', value: 'FILE', help: 'Write the PEM public key here instead of printing it' },
  ],
  exactlyOne: [['private-key', 'pkcs11-module']],
  requires: [...PKCS11_REQUIRES, ['passphrase-file', 'private-key']],
  examples: [
    'localhsm token pubkey --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token mfa --key-label alice --out alice.pub',
    'localhsm token pubkey --private-key alice.key --out alice.pub',
  ],
  async run(options, ctx) {
    const { pem, fingerprint, description } = await withLocalSigner(options, ctx, async (signer) => {
      const key = await signer.publicKey();
      const keyFile = options.string('private-key');
      const warning = keyFile === undefined ? undefined : keySizeWarning(key, keyFile);
      if (warning) ctx.err(warning);
      return { pem: toSpkiPem(key), fingerprint: keyFingerprint(key), description: signer.description };
    });
    const out = options.string('out');
    if (out === undefined) {
      ctx.stdout.write(pem);
      return 0;
    }
    writeFileAtomic(out, pem, 0o644);
    ctx.out(`Wrote the public key of ${description} (${fingerprint}) to ${out}`);
    return 0;
  },
});
