// cluster hsm-info: one entry per HSM, in the shape of CloudHSM's hsm-info (no login needed).
import { verdict } from '../../../cluster/verdict.js';
import { displayName } from '../../../protocol/operations.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../context.js';

export const clusterHsmInfoCommand = cliCommand({
  path: ['cluster', 'hsm-info'],
  about: 'List info about each HSM in the cluster',
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const outcomes = await cluster.fanOut('hsm-info', {});
    const answers = verdict(outcomes, 'any', {
      operation: displayName('hsm-info'),
      clusterId: cluster.entry.clusterId,
      warn: ctx.io.warn,
    });
    const hsms = answers.flatMap((o) => {
      const [major = '1', minor = '0', build = '0'] = o.value.firmwareVersion.split('.');
      return [
        {
          vendor: 'LocalHSM',
          model: 'LocalHSM software HSM',
          'serial-number': o.value.serialNumber,
          'hardware-version-major': '1',
          'hardware-version-minor': '0',
          'firmware-version-major': major,
          'firmware-version-minor': minor,
          'firmware-build-number': build,
          'firmware-id': `LocalHSM-FW-${o.value.firmwareVersion}`,
          'fips-state': '0 [non-FIPS mode, software emulation]',
          'hsm-id': o.value.hsmId,
        },
      ];
    });
    return { hsms };
  },
});
