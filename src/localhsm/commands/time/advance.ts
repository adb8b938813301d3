// localhsm time advance: moves the clock of every HSM of a --dev-clock cluster forward (token timeouts, idle sessions).
import { parseDuration } from '../../../cluster/duration.js';
import { HsmError } from '../../../errors.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { runClockMove } from './show.js';

export const timeAdvanceCommand = localCommand({
  path: ['time', 'advance'],
  about: 'Move the clock of every HSM forward (clusters created with localhsm up --dev-clock only)',
  options: [STATE_OPTION],
  positionals: [
    {
      name: 'DURATION',
      help: 'How far: 90s, 10m, 2h, 1h30m, 1d (0s aligns HSMs that missed a move)',
      required: true,
    },
  ],
  examples: ['localhsm time advance 10m', 'localhsm time advance 1h30m --state /tmp/c1'],
  async run(options, ctx) {
    const text = options.positionals[0]!;
    const advanceMs = parseDuration(text);
    if (advanceMs === undefined) throw new HsmError('ERR_DURATION', { value: text.slice(0, 64) });
    return runClockMove(stateDirOf(options, ctx), { advanceMs }, ctx);
  },
});
