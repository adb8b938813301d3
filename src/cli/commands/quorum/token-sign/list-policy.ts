// quorum token-sign list-policy (LocalHSM extension): the self-approval, lock-out guard and quorum guard switches (no login needed).
import { readSettings } from '../../../../cluster/quorum.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

const onOff = (v: boolean | 'inconsistent') => (v === 'inconsistent' ? v : v ? 'on' : 'off');

export const quorumTokenListPolicyCommand = cliCommand({
  path: ['quorum', 'token-sign', 'list-policy'],
  about: "List LocalHSM's quorum policy: self-approval, the lock-out guard and the quorum guard",
  extension: true,
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const policy = await readSettings(cluster, 'quorum-get-policy', 'List quorum policy', ctx.io.warn);
    return {
      'self-approval': onOff(policy.selfApproval),
      'lockout-guard': onOff(policy.lockoutGuard),
      'quorum-guard': onOff(policy.guard),
    };
  },
});
