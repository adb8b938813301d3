// localhsm token sign: fills every `signed` value of an MFA or quorum registration token file with the
// signature the openssl recipe of the AWS docs would make (byte for byte), from a PEM key, a PKCS#11 token
// or an external command; every signature is verified before the file is written (in place or --out).
import { readTokenFile, withSignatures } from '../../../tokens/mfa-file.js';
import { keySizeWarning } from '../../../tokens/private-key.js';
import { writeTokenFile } from '../../../tokens/token-file.js';
import { signAll } from '../../../signers/signer.js';
import { LOCAL_SIGNER_OPTIONS, LOCAL_SIGNER_RULES } from '../../../signers/options.js';
import { localCommand } from '../../context.js';
import { withLocalSigner } from '../../signing.js';

export const tokenSignCommand = localCommand({
  path: ['token', 'sign'],
  about:
    'Sign every token of an MFA or quorum registration token file with an RSA private key (PEM file, PKCS#11 token or external command)',
  options: [
    {
      long: 'token',
      value: 'FILE',
      required: true,
      help: 'Token file written by cloudhsm-cli (or by a real CloudHSM cluster)',
    },
    ...LOCAL_SIGNER_OPTIONS,
    {
      long: 'out',
      value: 'FILE',
      help: 'Write the signed file here instead of replacing --token (written 0600)',
    },
  ],
  ...LOCAL_SIGNER_RULES,
  examples: [
    'localhsm token sign --token unsigned-tokens.json --private-key officer1.key',
    'localhsm token sign --token reg.json --private-key k.key --passphrase-file k.pass --out reg-signed.json',
    'localhsm token sign --token t.json --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token mfa --key-label alice --pin-file pin.txt',
    "localhsm token sign --token t.json --sign-command 'aws kms sign --key-id alias/alice-mfa --message-type DIGEST --signing-algorithm RSASSA_PKCS1_V1_5_SHA_256 --message fileb:///dev/stdin --output text --query Signature' --public-key alice.pub",
  ],
  async run(options, ctx) {
    const tokenPath = options.required('token');
    const file = readTokenFile(tokenPath);
    const signed = await withLocalSigner(options, ctx, async (signer) => {
      const keyFile = options.string('private-key');
      if (keyFile !== undefined) {
        // PEM keys of other sizes are still used (as the openssl recipe would), with a warning.
        const warning = keySizeWarning(await signer.publicKey(), keyFile);
        if (warning) ctx.err(warning);
      }
      const signatures = await signAll(
        signer,
        file.tokens.map((t) => t.token),
      );
      return withSignatures(file, (_entry, i) => signatures[i]!.toString('base64'));
    });
    const out = options.string('out') ?? tokenPath;
    writeTokenFile(out, signed.document);
    const kind = file.kind === 'mfa' ? 'MFA' : 'registration';
    ctx.out(`Signed ${file.tokens.length} ${kind} token(s) into ${out}`);
    return 0;
  },
});
