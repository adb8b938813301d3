// localhsm status: the cluster's HSM type and mode; per HSM its id, address, whether it answers and how many users it holds.
import { DEFAULT_HSM_MODE, DEFAULT_HSM_TYPE } from '../../protocol/types.js';
import { clusterStatus } from '../cluster-manager.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../context.js';

export const statusCommand = localCommand({
  path: ['status'],
  about:
    "Show the local cluster's HSM type, its mode (fips or non-fips) and each HSM: id, port, up or down, user count",
  options: [STATE_OPTION, { long: 'json', help: 'Print JSON instead of a table' }],
  async run(options, ctx) {
    const { manifest, hsms } = await clusterStatus(stateDirOf(options, ctx));
    // Clusters made before HSM types existed were hsm2m.medium, as the rest of the code reads them.
    const hsmType = manifest.hsmType ?? DEFAULT_HSM_TYPE;
    // Clusters made before modes existed were FIPS (the setting's default on their HSMs).
    const mode = manifest.mode ?? DEFAULT_HSM_MODE;
    if (options.flag('json')) {
      ctx.out(JSON.stringify({ clusterId: manifest.clusterId, hsmType, mode, hsms }, null, 2));
    } else {
      ctx.out(
        `Cluster ${manifest.clusterId} (HSM type ${hsmType}, ${mode === 'fips' ? 'FIPS' : 'non-FIPS'} mode)`,
      );
      ctx.out(`${'HSM'.padEnd(18)}${'ADDRESS'.padEnd(18)}${'STATE'.padEnd(7)}USERS`);
      for (const h of hsms) {
        ctx.out(
          `${h.id.padEnd(18)}${`${h.host}:${h.port}`.padEnd(18)}${(h.up ? 'up' : 'down').padEnd(7)}${h.users ?? '-'}`,
        );
      }
    }
    return hsms.every((h) => h.up) ? 0 : 1;
  },
});
