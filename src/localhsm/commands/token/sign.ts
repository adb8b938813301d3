// localhsm token sign: fills every `signed` value of an MFA or quorum registration token file with the
// signature the openssl recipe of the AWS docs would make (byte for byte), in place or into --out.
import { readTokenFile, renderTokenFile, writeTokenFile } from '../../../tokens/mfa-file.js';
import {
  keySizeWarning,
  loadPrivateKey,
  readPassphraseFile,
  signTokenFile,
} from '../../../tokens/private-key.js';
import type { LocalCommand } from '../../context.js';

export const tokenSignCommand: LocalCommand = {
  path: ['token', 'sign'],
  about: 'Sign every token of an MFA or quorum registration token file with an RSA private key',
  options: [
    {
      long: 'token',
      value: 'FILE',
      required: true,
      help: 'Token file written by cloudhsm-cli (or by a real CloudHSM cluster)',
    },
    {
      long: 'private-key',
      value: 'KEY',
      required: true,
      help: 'PEM file of the RSA private key (PKCS#1 or PKCS#8, optionally encrypted)',
    },
    {
      long: 'passphrase-file',
      value: 'FILE',
      help: 'File whose first line is the passphrase of an encrypted private key',
    },
    {
      long: 'out',
      value: 'FILE',
      help: 'Write the signed file here instead of replacing --token (written 0600)',
    },
  ],
  examples: [
    'localhsm token sign --token unsigned-tokens.json --private-key officer1.key',
    'localhsm token sign --token reg.json --private-key k.key --passphrase-file k.pass --out reg-signed.json',
  ],
  async run(options, ctx) {
    const tokenPath = options.required('token');
    const keyPath = options.required('private-key');
    const passphraseFile = options.string('passphrase-file');
    const file = readTokenFile(tokenPath);
    const key = loadPrivateKey(
      keyPath,
      passphraseFile === undefined ? undefined : readPassphraseFile(passphraseFile),
    );
    const warning = keySizeWarning(key, keyPath);
    if (warning) ctx.err(warning);
    const out = options.string('out') ?? tokenPath;
    writeTokenFile(out, renderTokenFile(signTokenFile(file, key)));
    const kind = file.kind === 'mfa' ? 'MFA' : 'registration';
    ctx.out(`Signed ${file.tokens.length} ${kind} token(s) into ${out}`);
    return 0;
  },
};
