// The --hsm option shared by localhsm commands that act on one HSM or all of them.
import type { OptionSpec, ParsedOptions } from '../command/spec.js';
import type { ClusterManifest, HsmEntry } from '../cluster/state-dir.js';
import { HsmError } from '../errors.js';

export const HSM_OPTION: OptionSpec<'hsm'> = {
  long: 'hsm',
  value: 'ID',
  help: 'Only this HSM [default: every HSM of the cluster]',
};

export function selectHsms(manifest: ClusterManifest, options: ParsedOptions<'hsm'>): HsmEntry[] {
  const id = options.string('hsm');
  if (id === undefined) return manifest.hsms;
  const hsm = manifest.hsms.find((h) => h.id === id);
  if (!hsm) throw new HsmError('ERR_HSM_NOT_FOUND', { hsm: id });
  return [hsm];
}
