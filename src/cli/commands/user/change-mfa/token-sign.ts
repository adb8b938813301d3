// user change-mfa token-sign: registers (or rotates) a user's MFA key after proof of possession on every
// HSM, or with --deregister removes it; always sets the user's password (spec §4.2, §4.5).
import { changeMfaTokenSign, deregisterMfa } from '../../../../cluster/mfa.js';
import { ALLOW_UNMANAGEABLE_OPTION, approvalFrom, withApprovalHints } from '../../../quorum.js';
import { checkBeforeSecrets } from '../../../preconditions.js';
import {
  APPROVAL_OPTION,
  CLUSTER_ID_OPTION,
  cliCommand,
  ROLE_OPTION,
  passwordFrom,
  usernameOption,
} from '../../../context.js';
import {
  openCliSigner,
  publicKeyFromPrompt,
  signInProcess,
  signaturesFromFile,
  signerPublicKeyPem,
} from '../../../mfa-io.js';
import { CLI_SIGNER_CONFLICTS, SIGNER_REQUIRES, cliSignerOptions } from '../../../../signers/options.js';

export const userChangeMfaTokenSignCommand = cliCommand({
  path: ['user', 'change-mfa', 'token-sign'],
  about: 'Register or Deregister a public key using token-sign mfa strategy',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    usernameOption('Username of the user that will be modified'),
    { ...ROLE_OPTION, help: 'Role the user has in the cluster' },
    {
      long: 'change-password',
      value: 'CHANGE_PASSWORD',
      help: "Optional: Plaintext user's password. If you do not include this argument you will be prompted for it",
    },
    {
      long: 'token',
      value: 'TOKEN',
      help: 'Filepath where the unsigned token file will be written. Required for enabling MFA for a user',
    },
    APPROVAL_OPTION,
    // `--disable` is the troubleshooting page's spelling (hidden).
    { long: 'deregister', aliases: ['disable'], help: 'Deregister the MFA public key, if present' },
    { long: 'change-quorum', help: 'Change the Quorum public key along with the MFA key' },
    ALLOW_UNMANAGEABLE_OPTION,
    ...cliSignerOptions(
      'Sign the tokens in-process with this PEM private key (RSA 2048-bit; an encrypted key asks for its pass phrase) and register its public key, instead of prompting for the signed token file and the public key. --pkcs11-* and --sign-command do the same with a key on a PKCS#11 token or an external signer',
    ),
  ],
  exactlyOne: [['token', 'deregister']],
  conflicts: [
    ['sign-with', 'deregister'],
    ['pkcs11-module', 'deregister'],
    ['sign-command', 'deregister'],
    ['allow-unmanageable', 'token'],
    ...CLI_SIGNER_CONFLICTS,
  ],
  requires: SIGNER_REQUIRES,
  examples: [
    'user change-mfa token-sign --username alice --role crypto-user --token unsigned-tokens.json --change-quorum',
    'user change-mfa token-sign --username alice --role crypto-user --token tokens.json --sign-with alice-mfa.key',
    'user change-mfa token-sign --username alice --role crypto-user --token tokens.json --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token mfa --key-label alice',
    'user change-mfa token-sign --username alice --role crypto-user --deregister',
  ],
  async run(options, ctx) {
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const target = { username: options.required('username'), role: options.required('role') };
    // Access only: the node checks the user exists before the quorum, so that order stays the node's.
    await checkBeforeSecrets(cluster, ctx.io, {
      op: options.flag('deregister') ? 'change-mfa-deregister' : 'change-mfa-start',
      target,
      targetMustExist: true,
    });
    const password = await passwordFrom(options.string('change-password'), ctx.io, true);
    const args = {
      ...target,
      password,
      changeQuorum: options.flag('change-quorum'),
      ...(approval ? { approval } : {}),
    };
    if (options.flag('deregister')) {
      const allowUnmanageable = options.flag('allow-unmanageable') ? { allowUnmanageable: true } : {};
      return withApprovalHints(ctx.io, () =>
        deregisterMfa(cluster, { ...args, ...allowUnmanageable }, ctx.io.warn),
      );
    }
    const tokenPath = options.required('token');
    const signer = await openCliSigner(options, ctx.io, ctx.env);
    try {
      const publicKey = signer && (await signerPublicKeyPem(signer));
      return await withApprovalHints(ctx.io, () =>
        changeMfaTokenSign(
          cluster,
          args,
          async (issued) =>
            signer && publicKey
              ? { signatures: await signInProcess(signer, tokenPath, issued), publicKey }
              : {
                  signatures: await signaturesFromFile(ctx.io, tokenPath, issued),
                  publicKey: await publicKeyFromPrompt(ctx.io),
                },
          ctx.io.warn,
        ),
      );
    } finally {
      await signer?.close();
    }
  },
});
