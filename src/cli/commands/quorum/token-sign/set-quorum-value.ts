// quorum token-sign set-quorum-value: sets a service's quorum value M on every HSM (approved per the quorum service).
import { changeSettingEverywhere } from '../../../../cluster/quorum.js';
import { HsmError } from '../../../../errors.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import {
  ADMIN_SERVICE_VALUES,
  ALLOW_UNMANAGEABLE_OPTION,
  approvalFrom,
  wholeNumber,
  serviceOption,
  withApprovalHints,
} from '../../../quorum.js';

export const quorumTokenSetQuorumValueCommand = cliCommand({
  path: ['quorum', 'token-sign', 'set-quorum-value'],
  about: 'Set a quorum value',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    serviceOption(ADMIN_SERVICE_VALUES),
    { long: 'value', value: 'VALUE', required: true, help: 'Value to set for service' },
    APPROVAL_OPTION,
    ALLOW_UNMANAGEABLE_OPTION,
  ],
  async run(options, ctx) {
    const text = options.required('value');
    const value = wholeNumber(text, new HsmError('ERR_QUORUM_VALUE', { value: text.slice(0, 32) }));
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const args = {
      service: options.required('service'),
      value,
      ...(approval ? { approval } : {}),
      ...(options.flag('allow-unmanageable') ? { allowUnmanageable: true } : {}),
    };
    await withApprovalHints(ctx.io, () =>
      changeSettingEverywhere(cluster, 'quorum-set-value', args, 'Set quorum value', ctx.io.warn),
    );
    return 'Set Quorum Value successful';
  },
});
