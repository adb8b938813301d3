// key delete: the owner deletes one key from every HSM.
import { changeKey, resolveKey } from '../../../cluster/keys.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../context.js';
import { KEY_FILTER_HELP, filterOption } from '../../keys.js';

export const keyDeleteCommand = cliCommand({
  path: ['key', 'delete'],
  about: 'Delete a key in the HSM cluster',
  needsLogin: true,
  options: [CLUSTER_ID_OPTION, filterOption('filter', 'FILTER', KEY_FILTER_HELP)],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    // Deleting is how a key that fails the availability check is cleaned up, so it is not checked here.
    const key = await resolveKey(cluster, options.list('filter'), ctx.io.warn, { check: false });
    await changeKey(cluster, key, 'key-delete', { ref: key.ref }, ctx.io.warn);
    return { message: 'Key deleted successfully' };
  },
});
