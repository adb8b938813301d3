// quorum token-sign set-timeout: sets the generated or the approved token timeout on every HSM.
import { displayName } from '../../../../protocol/operations.js';
import { changeSettingEverywhere } from '../../../../cluster/quorum.js';
import { HsmError } from '../../../../errors.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { wholeNumber } from '../../../quorum.js';

export const quorumTokenSetTimeoutCommand = cliCommand({
  path: ['quorum', 'token-sign', 'set-timeout'],
  about: 'Set timeout duration in seconds for token validity',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    {
      long: 'generated',
      value: 'GENERATED',
      help: 'Timeout period in seconds for a generated (non-approved) token to be approved',
    },
    {
      long: 'approved',
      value: 'APPROVED',
      help: 'Timeout period in seconds for an approved token to be used to execute a quorum operation',
    },
  ],
  exactlyOne: [['generated', 'approved']],
  async run(options, ctx) {
    const kind = options.has('generated') ? 'generated' : 'approved';
    const text = options.required(kind);
    const seconds = wholeNumber(text, new HsmError('ERR_QUORUM_TIMEOUT', { value: text.slice(0, 32) }));
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    await changeSettingEverywhere(
      cluster,
      'quorum-set-timeout',
      { [kind]: seconds },
      displayName('quorum-set-timeout'),
      ctx.io.warn,
    );
    return 'Set token timeout successful';
  },
});
