// cluster mtls set-enforcement: an admin sets whether every HSM requires client certificates (needs mtls already).
import { setEnforcement } from '../../../../cluster/mtls.js';
import { MTLS_ENFORCEMENT_LEVELS, type MtlsEnforcementLevel } from '../../../../protocol/mtls.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { approvalFrom, withApprovalHints } from '../../../quorum.js';

const LEVEL_HELP: Record<MtlsEnforcementLevel, string> = {
  none: 'No enforcement of mtls: clients may connect without a client certificate',
  cluster: 'Enforce mtls between the client and the HSMs in the cluster',
};

/** How the confirmation names a level ("Cluster"). */
const LEVEL_NAME: Record<MtlsEnforcementLevel, string> = { none: 'None', cluster: 'Cluster' };

export const clusterMtlsSetEnforcementCommand = cliCommand({
  path: ['cluster', 'mtls', 'set-enforcement'],
  about: 'Set the enforcement level of mtls',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    {
      long: 'level',
      value: 'LEVEL',
      required: true,
      help: 'Level to be set for mtls enforcement in the cluster',
      possible: MTLS_ENFORCEMENT_LEVELS.map((value) => ({ value, help: LEVEL_HELP[value] })),
    },
    APPROVAL_OPTION,
  ],
  examples: ['cluster mtls set-enforcement --level cluster'],
  async run(options, ctx) {
    const approval = approvalFrom(options);
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const level = await withApprovalHints(ctx.io, () =>
      setEnforcement(
        cluster,
        { level: options.required('level'), ...(approval ? { approval } : {}) },
        ctx.io.warn,
      ),
    );
    return { message: `Mtls enforcement level set to ${LEVEL_NAME[level]} successfully` };
  },
});
