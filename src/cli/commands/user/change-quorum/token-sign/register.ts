// user change-quorum token-sign register: registers the logged-in user's quorum public key on every HSM (verify all, then commit all).
import { registerQuorumKey } from '../../../../../cluster/quorum.js';
import { HsmError } from '../../../../../errors.js';
import { fsErrorCode } from '../../../../../files/fs-error.js';
import { readInputFile } from '../../../../../files/read-input.js';
import { readSignedRegistrationFile } from '../../../../../tokens/registration-file.js';
import { parseTokenSignPublicKey } from '../../../../../tokens/token-sign.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../../context.js';
import { clusterLogin } from '../../../../preconditions.js';

export const userChangeQuorumTokenSignRegisterCommand = cliCommand({
  path: ['user', 'change-quorum', 'token-sign', 'register'],
  about: 'Register a user for quorum authentication with a public key',
  // `activate` is the spelling of one archived page (quorum-auth-chsm-cli-first-time); hidden.
  aliases: ['activate'],
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    { long: 'public-key', value: 'PUBLIC_KEY', required: true, help: 'Filepath to public key PEM file' },
    {
      long: 'signed-token',
      value: 'SIGNED_TOKEN',
      required: true,
      help: 'Filepath with token signed by user private key',
    },
  ],
  async run(options, ctx) {
    const keyFile = options.required('public-key');
    let pem: string;
    try {
      pem = readInputFile(keyFile).toString('utf8');
    } catch (error) {
      throw new HsmError('ERR_BAD_PUBLIC_KEY', { detail: `cannot read ${keyFile} (${fsErrorCode(error)})` });
    }
    parseTokenSignPublicKey(pem);
    const tokens = readSignedRegistrationFile(options.required('signed-token'));
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    // Registering again replaces the key silently on the HSMs: an approver who registered another
    // approver's public key by mistake is told what was replaced (stderr; the envelope is unchanged).
    const login = clusterLogin(cluster);
    const lists = login ? await cluster.fanOut('user-list', {}) : [];
    const hadKey = lists.some(
      (o) => o.ok && o.value.users.some((u) => u.username === login!.username && u.quorum),
    );
    const result = await registerQuorumKey(cluster, pem, tokens, ctx.io.warn);
    if (hadKey && login)
      ctx.io.warn(
        `note: this replaced the quorum key registered for ${login.username}; approvals signed with the old key no longer count`,
      );
    return result;
  },
});
