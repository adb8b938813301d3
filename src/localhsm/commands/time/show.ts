// localhsm time show: the time of a --dev-clock cluster's HSMs and how far it is from the system clock.
import { CliSession } from '../../../cli/context.js';
import { type ClockMove, moveClusterClock } from '../../../cluster/dev-clock.js';
import { formatDuration } from '../../../cluster/duration.js';
import { paths, readManifest } from '../../../cluster/state-dir.js';
import { ensureDevClockSecret } from '../../dev-clock-secret.js';
import { localCommand, type LocalContext, STATE_OPTION, stateDirOf } from '../../context.js';

export const timeShowCommand = localCommand({
  path: ['time', 'show'],
  about: "Show the HSMs' time and its offset from the system clock (clusters created with --dev-clock only)",
  options: [STATE_OPTION],
  async run(options, ctx) {
    return runClockMove(stateDirOf(options, ctx), { show: true }, ctx);
  },
});

/** Shared by time advance / reset / show: one move over the cluster's HSMs, one line of output. */
export async function runClockMove(dir: string, move: ClockMove, ctx: LocalContext): Promise<number> {
  const manifest = readManifest(dir);
  const session = new CliSession(paths(dir).config);
  try {
    const secret = 'show' in move ? undefined : ensureDevClockSecret(dir);
    const report = await moveClusterClock(session.cluster(manifest.clusterId), move, ctx.err, secret);
    const offset =
      report.offsetMs === 0 ? 'the system clock' : `system clock + ${formatDuration(report.offsetMs)}`;
    const verb =
      'show' in move
        ? 'is'
        : 'advanceMs' in move
          ? `advanced by ${formatDuration(move.advanceMs)}: now`
          : 'reset: now';
    const hsms =
      report.answered === report.total
        ? `${report.total} HSM(s)`
        : `${report.answered} of ${report.total} HSM(s)`;
    ctx.out(
      `Clock of ${manifest.clusterId} ${verb} ${new Date(report.now).toISOString()} (${offset}) on ${hsms}.`,
    );
    return 0;
  } finally {
    session.close();
  }
}
