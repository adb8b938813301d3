// Pre-login noise in the audit log: failed anonymous requests that name no real user are counted, not each written.

export interface AuditNoiseRow {
  actor: string;
  operation: string;
  target: string;
  result: string;
}

/**
 * A failed request from a session without a login is noise when it touched no existing user (unknown
 * username, or refused as not logged in): anyone can send those at any rate. The first of each
 * operation and result in an interval is audited as usual; the rest are counted and `take()` returns
 * one summary row per operation and result (result `CODE x N`). A real user's failed login is never noise.
 */
export class AuditNoise {
  private readonly counts = new Map<string, number>();

  /** True when the entry is counted instead of written. */
  absorb(entry: AuditNoiseRow, userExists: (username: string) => boolean): boolean {
    const noise =
      entry.actor === '-' &&
      entry.result !== 'ok' &&
      (entry.result === 'ERR_NOT_LOGGED_IN' || entry.target === '' || !userExists(entry.target));
    if (!noise) return false;
    const key = `${entry.operation}\n${entry.result}`;
    const count = this.counts.get(key);
    this.counts.set(key, count === undefined ? 0 : count + 1);
    return count !== undefined;
  }

  /** The summary rows of the interval that ends now; the next interval starts empty. */
  take(): AuditNoiseRow[] {
    const rows: AuditNoiseRow[] = [];
    for (const [key, count] of this.counts) {
      const [operation, result] = key.split('\n') as [string, string];
      if (count > 0) rows.push({ actor: '-', operation, target: '*', result: `${result} x${count}` });
    }
    this.counts.clear();
    return rows;
  }
}
