// login ... mfa-token-sign: password, then one token per HSM written to --token, signed by the user with
// their MFA private key; every HSM checks its own token before any HSM logs the session in.
import { loginWithMfa } from '../../../cluster/mfa.js';
import { cliCommand } from '../../context.js';
import { passwordFrom } from '../../context.js';
import { openCliSigner, signInProcess, signaturesFromFile } from '../../mfa-io.js';
import { CLI_SIGNER_CONFLICTS, SIGNER_REQUIRES, cliSignerOptions } from '../../../signers/options.js';
import { loginCommand } from '../login.js';
import { checkBeforeSecrets } from '../../preconditions.js';

export const loginMfaTokenSignCommand = cliCommand({
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
    ...cliSignerOptions(
      'Sign the tokens in-process with this PEM private key (RSA, PKCS#1 or PKCS#8; an encrypted key asks for its pass phrase) instead of prompting for the signed token file. --pkcs11-* and --sign-command do the same with a key on a PKCS#11 token or an external signer',
    ),
  ],
  conflicts: CLI_SIGNER_CONFLICTS,
  requires: SIGNER_REQUIRES,
  examples: [
    'login --username alice --role crypto-user mfa-token-sign --token unsigned-tokens.json',
    'login --username alice --role crypto-user mfa-token-sign --token tokens.json --sign-with alice-mfa.key',
  ],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    await checkBeforeSecrets(cluster, ctx.io, { op: 'login-mfa-start' });
    const password = await passwordFrom(options.string('password'), ctx.io, false);
    const tokenPath = options.required('token');
    const signer = await openCliSigner(options, ctx.io, ctx.env);
    try {
      return await loginWithMfa(
        cluster,
        { username: options.required('username'), role: options.required('role'), password },
        async (issued) =>
          signer ? signInProcess(signer, tokenPath, issued) : signaturesFromFile(ctx.io, tokenPath, issued),
        ctx.io.warn,
      );
    } finally {
      await signer?.close();
    }
  },
});
