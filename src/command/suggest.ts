// "Did you mean": the near names of a mistyped command, option or value, scored as clap scores them (Jaro > 0.7).

/** Jaro similarity in [0, 1] (the measure of strsim::jaro, which clap's suggestions use). */
export function jaro(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  if (x.length === 0 && y.length === 0) return 1;
  if (x.length === 0 || y.length === 0) return 0;
  const range = Math.max(0, Math.floor(Math.max(x.length, y.length) / 2) - 1);
  const xMatched = new Array<boolean>(x.length).fill(false);
  const yMatched = new Array<boolean>(y.length).fill(false);
  let matches = 0;
  x.forEach((ch, i) => {
    const end = Math.min(y.length, i + range + 1);
    for (let j = Math.max(0, i - range); j < end; j++) {
      if (!yMatched[j] && y[j] === ch) {
        xMatched[i] = yMatched[j] = true;
        matches++;
        break;
      }
    }
  });
  if (matches === 0) return 0;
  const xs = x.filter((_, i) => xMatched[i]);
  const ys = y.filter((_, j) => yMatched[j]);
  const transpositions = xs.filter((ch, k) => ch !== ys[k]).length / 2;
  return (matches / x.length + matches / y.length + (matches - transpositions) / matches) / 3;
}

/** The candidates similar enough to `typed` (clap's threshold), the most similar first. */
export function similar(typed: string, candidates: Iterable<string>): string[] {
  const scored = [...new Set(candidates)]
    .map((name) => ({ name, score: jaro(typed, name) }))
    .filter((c) => c.score > 0.7 && c.name !== typed);
  return scored.sort((p, q) => q.score - p.score).map((c) => c.name);
}

/**
 * clap's tip line for a usage error (`  tip: a similar subcommand exists: 'user'`), or '' when nothing is
 * near. It goes between the error line and the usage line, on stderr, which scripts of the real tool
 * do not parse; the error line itself stays the same.
 */
export function tipLine(kind: 'subcommand' | 'argument' | 'value', names: readonly string[]): string {
  if (names.length === 0) return '';
  const quoted = names.map((n) => `'${n}'`).join(', ');
  const plural = { subcommand: 'subcommands', argument: 'arguments', value: 'values' }[kind];
  return names.length === 1
    ? `\n\n  tip: a similar ${kind} exists: ${quoted}`
    : `\n\n  tip: some similar ${plural} exist: ${quoted}`;
}
