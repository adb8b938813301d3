// key generate-symmetric generic-secret: a secret key owned by the caller, copied to every HSM.
import { createKeys } from '../../../../cluster/keys.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { SYMMETRIC_OPTIONS, symmetricCreation } from '../../../key-pairs.js';

export const keyGenerateGenericSecretCommand = cliCommand({
  path: ['key', 'generate-symmetric', 'generic-secret'],
  about: 'Generate a generic secret key',
  needsLogin: true,
  options: [CLUSTER_ID_OPTION, ...SYMMETRIC_OPTIONS],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const [key] = await createKeys(
      cluster,
      'key-generate',
      { type: 'generic-secret', ...symmetricCreation(options) },
      ctx.io.warn,
    );
    return { key };
  },
});
