// quorum token-sign generate: writes an unsigned quorum token file (admin or key services) or registration token file.
import { resolveKey } from '../../../../cluster/keys.js';
import {
  generateApprovalData,
  generateKeyApprovalData,
  generateRegistrationToken,
} from '../../../../cluster/quorum.js';
import { HsmError } from '../../../../errors.js';
import { isAdminService, isKeyService } from '../../../../protocol/quorum.js';
import { newApprovalFile } from '../../../../tokens/approval-file.js';
import { newRegistrationFile } from '../../../../tokens/registration-file.js';
import { writeTokenFile } from '../../../../tokens/token-file.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { filterOption } from '../../../keys.js';
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
    // Not in the documented help; a field report shows it binding a key-service token to one key.
    filterOption(
      'filter',
      'FILTER',
      'Key reference (e.g. key-reference=0xabc) or space separated list of key attributes in the form of attr.KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE to select the key a key-usage or key-management token is for',
      false,
    ),
  ],
  async run(options, ctx) {
    const service = options.required('service');
    const file = options.required('token');
    const filter = options.list('filter');
    if (isKeyService(service) && filter.length === 0)
      throw new HsmError('ERR_QUORUM_KEY_FILTER', { service });
    if (!isKeyService(service) && filter.length > 0)
      throw new HsmError('ERR_QUORUM_KEY_FILTER_UNEXPECTED', { service });
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    if (service === 'registration') {
      writeTokenFile(file, newRegistrationFile([await generateRegistrationToken(cluster, ctx.io.warn)]));
    } else if (isAdminService(service)) {
      writeTokenFile(file, newApprovalFile(await generateApprovalData(cluster, service, ctx.io.warn)));
    } else if (isKeyService(service)) {
      const key = await resolveKey(cluster, filter, ctx.io.warn);
      const { version, ...rest } = newApprovalFile(
        await generateKeyApprovalData(cluster, service, key, ctx.io.warn),
      );
      // The key-service shape a field report shows: service and key reference after the version.
      writeTokenFile(file, { version, service, key_reference: key.ref, ...rest });
    }
    // The command page prints `filepath` (workflow pages show `path`); we follow the command page.
    return { filepath: file };
  },
});
