// key replicate: copies a token key (same reference, owner, shares, quorum values, attributes) to a clone cluster.
import type { ClusterClient, Outcome } from '../../../cluster/cluster.js';
import { mergeKey } from '../../../cluster/key-objects.js';
import { resolveKey } from '../../../cluster/keys.js';
import { type Warn, verdict } from '../../../cluster/verdict.js';
import { HsmError } from '../../../errors.js';
import { displayName } from '../../../protocol/operations.js';
import type { KeyView } from '../../../protocol/keys.js';
import { REPLICATE_CLUSTERS, cliCommand, replicateClusters } from '../../context.js';
import { KEY_FILTER_HELP, filterOption } from '../../keys.js';

const OPERATION = displayName('key-replicate-import');

export const keyReplicateCommand = cliCommand({
  path: ['key', 'replicate'],
  about: 'Replicate a key from a source to a destination cluster',
  needsLogin: true,
  // cloudhsm-cli.md §1.3: the destination's login comes from DESTINATION_CLOUDHSM_ROLE / DESTINATION_CLOUDHSM_PIN.
  envLogins: REPLICATE_CLUSTERS.envLogins,
  options: [
    filterOption('filter', 'FILTER', `${KEY_FILTER_HELP} on the source cluster`),
    ...REPLICATE_CLUSTERS.options,
  ],
  examples: [
    'key replicate --filter attr.label=example-key --source-cluster-id cluster-1234abcdefg --destination-cluster-id cluster-2345bcdefgh',
  ],
  async run(options, ctx) {
    const { source, destination } = replicateClusters(options, ctx.session);
    const key = await resolveKey(source, options.list('filter'), ctx.io.warn);
    if (key.session) throw new HsmError('ERR_KEY_NOT_SYNCHRONIZED');
    const views = await replicate(source, destination, key.ref, ctx.io.warn);
    return { key: mergeKey(views, destination.size), message: 'Successfully replicated key' };
  },
});

const refused = (o: Outcome<unknown>, code: string) =>
  !o.ok && o.error instanceof HsmError && o.error.code === code;

/**
 * The destination HSMs issue challenges; every source HSM seals the key to them (each must hold it and their
 * keyed digests must agree, else the key is not synchronized on the source); each destination HSM opens its
 * own seal. A destination HSM that holds an identical key under the reference succeeds without a change; one
 * that holds a different key fails, and the command reports `Key replicate failed on <n> of <m> connections`.
 */
async function replicate(
  source: ClusterClient,
  destination: ClusterClient,
  ref: string,
  warn: Warn,
): Promise<KeyView[]> {
  const onDestination = { operation: OPERATION, clusterId: destination.entry.clusterId, warn };
  const issued = verdict(
    await destination.fanOut('key-replicate-challenge', { ref }),
    'before-change',
    onDestination,
  );
  const exports = await source.fanOut('key-replicate-export', {
    ref,
    destinationClusterId: destination.entry.clusterId,
    challenges: issued.map((o) => o.value.challenge),
  });
  // An HSM of the source that lacks the key (it missed the create or a delete): the key is not in sync.
  if (exports.some((o) => o.ok) && exports.some((o) => refused(o, 'ERR_KEY_SELECTION')))
    throw new HsmError('ERR_KEY_NOT_SYNCHRONIZED');
  const exported = verdict(exports, 'before-change', {
    operation: OPERATION,
    clusterId: source.entry.clusterId,
    warn,
  });
  if (new Set(exported.map((o) => o.value.digest)).size > 1) throw new HsmError('ERR_KEY_NOT_SYNCHRONIZED');
  const { sealed } = exported[0]!.value;
  const imported = await destination.on(
    issued.map((o) => o.connection),
    'key-replicate-import',
    (_connection, i) => ({ ref, challenge: issued[i]!.value.challenge, sealed: sealed[i]! }),
  );
  // A different key under the reference on every destination HSM is still the documented count, not one HSM's text.
  if (imported.length > 0 && imported.every((o) => refused(o, 'ERR_KEY_EXISTS'))) {
    for (const o of imported)
      if (!o.ok) warn(`warning: HSM at ${o.connection.address} refused: ${o.error.message}`);
    throw new HsmError('ERR_PARTIAL_FAILURE', {
      operation: OPERATION,
      failed: imported.length,
      total: imported.length,
    });
  }
  return verdict(imported, 'all', onDestination).map((o) => o.value.key);
}
