// quorum token-sign generate: writes an unsigned quorum token file (admin services) or registration token file.
import { generateApprovalData, generateRegistrationTokens } from '../../../../cluster/quorum.js';
import { HsmError } from '../../../../errors.js';
import { KEY_SERVICES, isAdminService } from '../../../../protocol/quorum.js';
import { newApprovalFile } from '../../../../tokens/approval-file.js';
import { newRegistrationFile } from '../../../../tokens/registration-file.js';
import { writeTokenFile } from '../../../../tokens/token-file.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { ADMIN_SERVICES, serviceOption } from '../../../quorum.js';

export const quorumTokenGenerate = cliCommand({
  path: ['quorum', 'token-sign', 'generate'],
  about: 'Generate a token',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    serviceOption([
      ...ADMIN_SERVICES,
      {
        value: 'registration',
        help: 'Registration service is used for registering a public key for quorum authentication',
      },
      {
        value: 'key-usage',
        help: 'Key usage service is used for executing quorum authenticated key usage operations (not supported by LocalHSM yet)',
      },
      {
        value: 'key-management',
        help: 'Key management service is used for executing quorum authenticated key management operations (not supported by LocalHSM yet)',
      },
    ]),
    {
      long: 'token',
      value: 'TOKEN',
      required: true,
      help: 'Filepath where the unsigned token file will be written',
    },
  ],
  async run(options, ctx) {
    const service = options.required('service');
    const file = options.required('token');
    if ((KEY_SERVICES as readonly string[]).includes(service))
      throw new HsmError('ERR_QUORUM_KEY_SERVICE', { service });
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    if (service === 'registration') {
      writeTokenFile(file, newRegistrationFile(await generateRegistrationTokens(cluster, ctx.io.warn)));
    } else if (isAdminService(service)) {
      writeTokenFile(file, newApprovalFile(await generateApprovalData(cluster, service, ctx.io.warn)));
    }
    // The command page prints `filepath` (workflow pages show `path`); we follow the command page.
    return { filepath: file };
  },
});
