// Moves the clock of every HSM of a dev-clock cluster (localhsm time, the library's advanceTime): the HSMs end
// on one offset, the largest any of them had plus the advance, so a node that missed a move catches up.
import { HsmError } from '../errors.js';
import { MAX_DEV_CLOCK_OFFSET_MS } from '../protocol/operations.js';
import { type ClusterClient, describeFailures, requireAll } from './cluster.js';
import { formatDuration } from './duration.js';

export type ClockMove = { advanceMs: number } | { reset: true } | { show: true };

export interface ClockReport {
  /** Offset from the system clock the HSMs now have (ms). */
  offsetMs: number;
  /** The HSMs' time (ms since the epoch) when they answered. */
  now: number;
  /** HSMs that answered, of all in the config. */
  answered: number;
  total: number;
}

export async function moveClusterClock(
  client: ClusterClient,
  move: ClockMove,
  warn: (line: string) => void,
  /** The cluster's control secret (dev-clock.secret), which the HSMs require to move their clock. */
  secret?: string,
): Promise<ClockReport> {
  const clusterId = client.entry.clusterId;
  const read = await client.fanOut('dev-clock-get', {});
  // A refusal (an HSM without --dev-clock) stops everything, whatever the other HSMs said.
  const refusal = read.find((o) => !o.ok && o.error instanceof HsmError);
  if (refusal && !refusal.ok) throw refusal.error;
  for (const line of describeFailures(read)) warn(line);
  const reachable = read.flatMap((o) => (o.ok ? [o] : []));
  if (reachable.length === 0) requireAll(read, 'Time', clusterId);
  const current = Math.max(...reachable.map((o) => o.value.offsetMs));
  if (new Set(reachable.map((o) => o.value.offsetMs)).size > 1 && 'show' in move) {
    warn(
      `warning: the HSMs' clocks disagree (offsets ${reachable.map((o) => formatDuration(o.value.offsetMs)).join(', ')}); localhsm time advance 0s aligns them`,
    );
  }
  if ('show' in move)
    return {
      offsetMs: current,
      now: reachable[0]!.value.now,
      answered: reachable.length,
      total: read.length,
    };
  const target = 'reset' in move ? 0 : current + move.advanceMs;
  if (target > MAX_DEV_CLOCK_OFFSET_MS) {
    throw new HsmError('ERR_STATE', {
      detail: `the clock cannot be moved more than ${formatDuration(MAX_DEV_CLOCK_OFFSET_MS)} ahead`,
    });
  }
  const set = await client.on(
    reachable.map((o) => o.connection),
    'dev-clock-set',
    { offsetMs: target, ...(secret !== undefined && { secret }) },
  );
  for (const line of describeFailures(set)) warn(line);
  const results = requireAll(set, 'Time', clusterId);
  return { offsetMs: target, now: results[0]!.now, answered: results.length, total: read.length };
}
