// key list: the keys the user owns, shares and every public key, filtered and paged (ascending reference).
import { listKeys } from '../../../cluster/keys.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../context.js';
import { filterOption, wholeNumberOption } from '../../keys.js';

export const keyListCommand = cliCommand({
  path: ['key', 'list'],
  about: 'List the keys the current user owns, shares, and all public keys in the HSM cluster',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    filterOption(
      'filter',
      'FILTER',
      'Key reference (e.g. key-reference=0xabc) or space separated list of key attributes in the form of attr.KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE to select a matching key(s)',
      false,
    ),
    {
      long: 'max-items',
      value: 'MAX_ITEMS',
      help: "The total number of items to return in the command's output. If the total number of items available is more than the value specified, a next-token is provided in the command's output. To resume pagination, provide the next-token value in the starting-token argument of a subsequent command [default: 10]",
    },
    {
      long: 'starting-token',
      value: 'STARTING_TOKEN',
      help: 'A token to specify where to start paginating. This is the next-token from a previously truncated response',
    },
    {
      long: 'verbose',
      short: 'v',
      help: 'If included, prints all attributes and key information for each matched key. By default each matched key only displays its KEY-REFERENCE and label attribute. This flag when used by Admins has no effect',
    },
  ],
  async run(options, ctx) {
    const maxItems = wholeNumberOption(options.string('max-items') ?? '10', 'max-items');
    const offset = wholeNumberOption(options.string('starting-token') ?? '0', 'starting-token');
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    return listKeys(
      cluster,
      {
        filter: options.list('filter'),
        maxItems: Math.max(1, maxItems),
        offset,
        verbose: options.flag('verbose'),
      },
      ctx.io.warn,
    );
  },
});
