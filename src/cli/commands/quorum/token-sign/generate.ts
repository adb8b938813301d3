// quorum token-sign generate: writes an unsigned quorum token file (admin services) or registration token file.
import { generateApprovalData, generateRegistrationToken } from '../../../../cluster/quorum.js';
import { HsmError } from '../../../../errors.js';
import { isAdminService, isKeyService } from '../../../../protocol/quorum.js';
import { newApprovalFile } from '../../../../tokens/approval-file.js';
import { newRegistrationFile } from '../../../../tokens/registration-file.js';
import { writeTokenFile } from '../../../../tokens/token-file.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { TOKEN_SERVICE_VALUES, serviceOption } from '../../../quorum.js';

export const quorumTokenGenerateCommand = cliCommand({
  path: ['quorum', 'token-sign', 'generate'],
  about: 'Generate a token',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    serviceOption(TOKEN_SERVICE_VALUES),
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
    if (isKeyService(service)) throw new HsmError('ERR_QUORUM_KEY_SERVICE', { service });
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    if (service === 'registration') {
      writeTokenFile(file, newRegistrationFile([await generateRegistrationToken(cluster, ctx.io.warn)]));
    } else if (isAdminService(service)) {
      writeTokenFile(file, newApprovalFile(await generateApprovalData(cluster, service, ctx.io.warn)));
    }
    // The command page prints `filepath` (workflow pages show `path`); we follow the command page.
    return { filepath: file };
  },
});
