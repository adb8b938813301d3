// key set-attribute: the owner (or an admin, for `trusted`) changes one attribute of a key on every HSM.
import { changeKey, checkPromotion, copyPromotedKey, resolveKey } from '../../../cluster/keys.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, cliCommand } from '../../context.js';
import { KEY_FILTER_HELP, filterOption } from '../../keys.js';
import { approvalFrom, withApprovalHints } from '../../quorum.js';

export const keySetAttributeCommand = cliCommand({
  path: ['key', 'set-attribute'],
  about: 'Set an attribute for a key in the HSM cluster',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    filterOption('filter', 'FILTER', KEY_FILTER_HELP),
    { long: 'name', value: 'KEY_ATTRIBUTE', required: true, help: 'Name of attribute to be set' },
    { long: 'value', value: 'KEY_ATTRIBUTE_VALUE', required: true, help: 'Attribute value to be set' },
    {
      ...APPROVAL_OPTION,
      help: 'Filepath of signed quorum token file to approve operation. Only required if the key management service quorum value of the key is greater than 1',
    },
  ],
  async run(options, ctx) {
    // The approval file is read and checked before anything is sent.
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const key = await resolveKey(cluster, options.list('filter'), ctx.io.warn);
    const args = {
      ref: key.ref,
      name: options.required('name'),
      value: options.required('value'),
      ...(approval ? { approval } : {}),
    };
    // token false→true on a session key makes it a token key (spec §2.4): it then goes to every HSM.
    const promoting = key.session && args.name === 'token' && args.value.trim().toLowerCase() === 'true';
    if (promoting) checkPromotion(cluster, ctx.io.warn);
    const results = await withApprovalHints(ctx.io, () =>
      changeKey(cluster, key, 'key-set-attribute', args, ctx.io.warn),
    );
    const copy = promoting ? results.find((r) => r.copy)?.copy : undefined;
    if (copy) await copyPromotedKey(cluster, key, copy, ctx.io.warn);
    return { message: 'Attribute set successfully' };
  },
});
