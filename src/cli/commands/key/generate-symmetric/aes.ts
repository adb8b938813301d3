// key generate-symmetric aes: a secret key owned by the caller, copied to every HSM.
import { createKeys } from '../../../../cluster/keys.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { SYMMETRIC_OPTIONS, symmetricCreation } from '../../../key-pairs.js';

export const keyGenerateAesCommand = cliCommand({
  path: ['key', 'generate-symmetric', 'aes'],
  about: 'Generate an AES key',
  needsLogin: true,
  options: [CLUSTER_ID_OPTION, ...SYMMETRIC_OPTIONS],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const [key] = await createKeys(
      cluster,
      'key-generate',
      { type: 'aes', ...symmetricCreation(options) },
      ctx.io.warn,
    );
    return { key };
  },
});
