// login ... mfa-token-sign: password, then one token per HSM written to --token, signed by the user with
// their MFA private key; every HSM checks its own token before any HSM logs the session in.
import { loginWithMfa } from '../../../cluster/mfa.js';
import type { CliCommand } from '../../context.js';
import { passwordFrom } from '../../context.js';
import { loadSignWithKey, signInProcess, signWithOption, signaturesFromFile } from '../../mfa-io.js';
import { loginCommand } from '../login.js';

export const loginMfaTokenSign: CliCommand = {
  path: ['login', 'mfa-token-sign'],
  usage: 'login [OPTIONS] --username <USERNAME> --role <ROLE> mfa-token-sign [OPTIONS] --token <TOKEN>',
  about: 'Login with token-sign mfa',
  // The parent's options too: they are given before the subcommand (`login --username u --role r mfa-token-sign --token f`).
  options: [
    ...loginCommand.options,
    {
      long: 'token',
      value: 'TOKEN',
      required: true,
      help: 'Filepath where the unsigned token file will be written',
    },
    signWithOption(
      'Sign the tokens in-process with this PEM private key (RSA, PKCS#1 or PKCS#8; an encrypted key asks for its pass phrase) instead of prompting for the signed token file',
    ),
  ],
  examples: [
    'login --username alice --role crypto-user mfa-token-sign --token unsigned-tokens.json',
    'login --username alice --role crypto-user mfa-token-sign --token tokens.json --sign-with alice-mfa.key',
  ],
  async run(options, ctx) {
    const password = await passwordFrom(options.string('password'), ctx.io, false);
    const tokenPath = options.required('token');
    const signWith = options.string('sign-with');
    const key = signWith === undefined ? undefined : await loadSignWithKey(ctx.io, signWith);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    return loginWithMfa(
      cluster,
      { username: options.required('username'), role: options.required('role'), password },
      async (issued) =>
        key ? signInProcess(key, tokenPath, issued) : signaturesFromFile(ctx.io, tokenPath, issued),
      ctx.io.warn,
    );
  },
};
