// Durations as people type them (`90s`, `10m`, `2h`, `1h30m`, `500ms`, `1d`): for `localhsm time advance` and seed timeouts.
import { MAX_DEV_CLOCK_OFFSET_MS } from '../protocol/operations.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d+)(ms|s|m|h|d)/y;
/** As far as the dev clock goes (100 years). */
export const MAX_DURATION_MS = MAX_DEV_CLOCK_OFFSET_MS;

/** Milliseconds of a duration like `10m` or `1h30m`; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const match = PART.exec(trimmed);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return total <= MAX_DURATION_MS ? total : undefined;
}

export const DURATION_HELP = 'a duration such as 90s, 10m, 2h, 1h30m or 1d';

/** `1h30m`-style text for a number of milliseconds (whole seconds unless below one second). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
