// quorum token-sign set-policy (LocalHSM extension): switches self-approval, the lock-out guard and the quorum guard, approved per the quorum service.
import { changeSettingEverywhere } from '../../../../cluster/quorum.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { approvalFrom, withApprovalHints } from '../../../quorum.js';

const ON_OFF = [{ value: 'on' }, { value: 'off' }] as const;

export const quorumTokenSetPolicyCommand = cliCommand({
  path: ['quorum', 'token-sign', 'set-policy'],
  about: "Set LocalHSM's quorum policy: self-approval, the lock-out guard and the quorum guard",
  extension: true,
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    {
      long: 'self-approval',
      value: 'SELF_APPROVAL',
      help: "Whether the requester's own signature counts as one approval (on, as in CloudHSM, by default)",
      possible: ON_OFF,
    },
    {
      long: 'lockout-guard',
      value: 'LOCKOUT_GUARD',
      help: 'Whether an approver a service needs to reach its quorum value is slowed down (a doubling delay after 5 failed logins) instead of locked out (off by default)',
      possible: ON_OFF,
    },
    {
      long: 'quorum-guard',
      value: 'QUORUM_GUARD',
      help: 'Whether a quorum value above the number of approvers, or deleting or deregistering an approver a service needs, is refused (unless --allow-unmanageable) instead of made with a warning (off, as in CloudHSM, by default)',
      possible: ON_OFF,
    },
    APPROVAL_OPTION,
  ],
  async run(options, ctx) {
    const flag = (name: 'self-approval' | 'lockout-guard' | 'quorum-guard') =>
      options.has(name) ? options.string(name) === 'on' : undefined;
    const approval = approvalFrom(options);
    const args = {
      ...(options.has('self-approval') ? { selfApproval: flag('self-approval') } : {}),
      ...(options.has('lockout-guard') ? { lockoutGuard: flag('lockout-guard') } : {}),
      ...(options.has('quorum-guard') ? { guard: flag('quorum-guard') } : {}),
      ...(approval ? { approval } : {}),
    };
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    await withApprovalHints(ctx.io, () =>
      changeSettingEverywhere(cluster, 'quorum-set-policy', args, 'Set quorum policy', ctx.io.warn),
    );
    return 'Set quorum policy successful';
  },
});
