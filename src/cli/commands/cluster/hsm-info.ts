// cluster hsm-info: one entry per HSM, in the shape of CloudHSM's hsm-info (no login needed).
import { describeFailures, requireAll } from '../../../cluster/cluster.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../context.js';

export const clusterHsmInfo = cliCommand({
  path: ['cluster', 'hsm-info'],
  about: 'Get hardware information about the HSMs in the cluster',
  options: [CLUSTER_ID_OPTION],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const outcomes = await cluster.fanOut('hsm-info', {});
    for (const line of describeFailures(outcomes)) ctx.io.warn(line);
    if (!outcomes.some((o) => o.ok)) requireAll(outcomes, 'Hsm info', cluster.entry.clusterId);
    const hsms = outcomes.flatMap((o) => {
      if (!o.ok) return [];
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
