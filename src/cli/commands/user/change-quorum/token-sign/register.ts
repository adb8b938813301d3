// user change-quorum token-sign register: registers the logged-in user's quorum public key on every HSM (verify all, then commit all).
import { registerQuorumKey } from '../../../../../cluster/quorum.js';
import { HsmError } from '../../../../../errors.js';
import { fsErrorCode } from '../../../../../files/fs-error.js';
import { readInputFile } from '../../../../../files/read-input.js';
import { readSignedRegistrationFile } from '../../../../../tokens/registration-file.js';
import { parseTokenSignPublicKey } from '../../../../../tokens/token-sign.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../../context.js';

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
    return registerQuorumKey(cluster, pem, tokens, ctx.io.warn);
  },
});
