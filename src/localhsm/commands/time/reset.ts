// localhsm time reset: puts every HSM of a --dev-clock cluster back on the system clock.
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { runClockMove } from './show.js';

export const timeResetCommand = localCommand({
  path: ['time', 'reset'],
  about: 'Put the clock of every HSM back on the system clock (clusters created with --dev-clock only)',
  options: [STATE_OPTION],
  async run(options, ctx) {
    return runClockMove(stateDirOf(options, ctx), { reset: true }, ctx);
  },
});
