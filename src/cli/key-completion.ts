// The shell's Tab completion of key labels and references in filters (`--filter attr.label=`, `--key-filter
// key-reference=`…): the keys the logged-in user can see, asked from the HSMs with key-list and kept briefly.
import type { ClusterClient } from '../cluster/cluster.js';
import type { OptionSpec } from '../command/spec.js';

/** How long a fetched list answers Tab before the HSMs are asked again. */
const CACHE_MS = 5_000;
/** The most keys one Tab looks at (one key-list page from each HSM). */
const MAX_KEYS = 1_000;

const LABEL = 'attr.label=';
const REFERENCE_PREFIXES = ['key-reference=', 'attr.key-reference='];

/** Whether an option takes key filters (`--filter`, `--key-filter`, `--payload-filter`, `--wrapping-filter`…). */
export const isKeyFilterOption = (option: OptionSpec): boolean =>
  option.words === true && /(^|-)filter$/.test(option.long);

interface Known {
  labels: string[];
  refs: string[];
}

export class KeyCompletion {
  private cached: { at: number; known: Promise<Known> } | undefined;

  constructor(
    /** The cluster commands run on now; undefined when there is none (no config). */
    private readonly cluster: () => ClusterClient | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget what was fetched (after each command: keys, or the login, may have changed). */
  clear(): void {
    this.cached = undefined;
  }

  /** Candidates for `partial` typed as a filter word, or undefined for an option that takes no key filter. */
  values(option: OptionSpec, partial: string): Promise<readonly string[]> | undefined {
    if (!isKeyFilterOption(option)) return undefined;
    if (partial.startsWith(LABEL)) return this.known().then((k) => k.labels.map((label) => LABEL + label));
    const prefix = REFERENCE_PREFIXES.find((p) => partial.startsWith(p));
    if (prefix) return this.known().then((k) => k.refs.map((ref) => prefix + ref));
    // The beginning of a filter word: the two forms whose values this completes.
    return Promise.resolve([LABEL, REFERENCE_PREFIXES[0]!]);
  }

  private known(): Promise<Known> {
    const now = this.now();
    if (!this.cached || now - this.cached.at > CACHE_MS) this.cached = { at: now, known: this.fetch() };
    return this.cached.known;
  }

  /** Every key the session's login may see, by asking the HSMs (which decide visibility); nothing when logged out. */
  private async fetch(): Promise<Known> {
    const labels = new Set<string>();
    const refs = new Set<string>();
    let cluster: ClusterClient | undefined;
    try {
      cluster = this.cluster();
    } catch {
      cluster = undefined;
    }
    const connections = cluster?.connections.filter((c) => c.loggedInAs !== undefined) ?? [];
    if (cluster && connections.length > 0) {
      const outcomes = await cluster.on(connections, 'key-list', {
        filter: [],
        maxItems: MAX_KEYS,
        offset: 0,
        verbose: false,
      });
      for (const o of outcomes)
        if (o.ok)
          for (const view of o.value.keys) {
            refs.add(view.ref);
            // A label a shell word cannot hold unquoted is left out (Tab would insert it unquoted).
            if (view.label !== '' && !/[\s'"\\]/.test(view.label)) labels.add(view.label);
          }
    }
    return { labels: [...labels].sort(), refs: [...refs].sort() };
  }
}
