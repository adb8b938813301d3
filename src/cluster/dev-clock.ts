// Moves the clock of every HSM of a dev-clock cluster (localhsm time, the library's advanceTime): the HSMs end
// on one offset, the largest any of them had plus the advance, so a node that missed a move catches up.
import { HsmError } from '../errors.js';
import { MAX_DEV_CLOCK_OFFSET_MS, displayName } from '../protocol/operations.js';
import type { ClusterClient } from './cluster.js';
import { formatDuration } from './duration.js';
import { verdict } from './verdict.js';

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
  const context = { operation: displayName('dev-clock-set'), clusterId: client.entry.clusterId, warn };
  const read = await client.fanOut('dev-clock-get', {});
  // A refusal (an HSM without --dev-clock) stops everything, whatever the other HSMs said.
  const reachable = verdict(read, 'refusal-first', context);
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
  const results = verdict(set, 'all', context).map((o) => o.value);
  return { offsetMs: target, now: results[0]!.now, answered: results.length, total: read.length };
}
