// configure-cli add-cluster: adds a LocalHSM cluster (found by its state directory) to the config file.
import fs from 'node:fs';
import { DEFAULT_HSM_TYPE, configType } from '../../protocol/types.js';
import { type RawConfig, type RawEntry, readRawConfig, writeRawConfig } from '../../cluster/config-edit.js';
import { hasCluster, paths, readManifest, resolveStateDir } from '../../cluster/state-dir.js';
import { HsmError } from '../../errors.js';
import {
  CLIENT_CERT_OPTION,
  CLIENT_KEY_OPTION,
  ENDPOINT_OPTION,
  REGION_OPTION,
  configureCommand,
} from '../context.js';
import { caCertificate, clientTlsMembers } from './client-tls.js';

export const addClusterCommand = configureCommand({
  path: ['add-cluster'],
  about: 'Add a cluster to the configuration file',
  options: [
    {
      long: 'cluster-id',
      value: 'CLUSTER_ID',
      required: true,
      help: 'The id of the cluster to add (LocalHSM: the cluster of --from-state, else of $LOCALHSM_STATE or ./.localhsm)',
    },
    REGION_OPTION,
    ENDPOINT_OPTION,
    {
      long: 'hsm-ca-cert',
      value: 'HSM CA CERTIFICATE FILE',
      help: "The cluster's CA certificate [default: customerCA.crt of its state directory]",
    },
    CLIENT_CERT_OPTION,
    CLIENT_KEY_OPTION,
    {
      long: 'from-state',
      value: 'DIR',
      extension: true,
      help: 'The state directory of the LocalHSM cluster to add (its HSM addresses and CA), in place of DescribeClusters',
    },
  ],
  requires: [
    ['client-cert-hsm-tls-file', 'client-key-hsm-tls-file'],
    ['client-key-hsm-tls-file', 'client-cert-hsm-tls-file'],
  ],
  examples: ['configure-cli add-cluster --cluster-id cluster-abcdefghijk --from-state /tmp/clone'],
  async run(options, ctx) {
    const clusterId = options.required('cluster-id');
    const file = ctx.config.file;
    const config: RawConfig = fs.existsSync(file)
      ? readRawConfig(file)
      : ({
          clusters: [],
          logging: { log_type: 'term', log_file: '', log_level: 'info', log_interval: 'daily' },
        } as never);
    if (config.clusters.some((c) => c.cluster_id === clusterId))
      throw new HsmError('ERR_STATE', { detail: `cluster ${clusterId} is already in ${file}` });
    const dir = resolveStateDir(options.string('from-state'), ctx.env, ctx.cwd);
    if (!hasCluster(dir) || readManifest(dir).clusterId !== clusterId)
      throw new HsmError('ERR_STATE', {
        detail: `no LocalHSM cluster ${clusterId} in ${dir}: give its state directory with --from-state DIR (LocalHSM cannot look clusters up with DescribeClusters)`,
      });
    const manifest = readManifest(dir);
    const caFile = options.string('hsm-ca-cert');
    const entry: RawEntry = {
      type: configType(manifest.hsmType ?? DEFAULT_HSM_TYPE),
      cluster_id: clusterId,
      cluster: {
        // Another cluster's CA is not copied over customerCA.crt: the entry names the file where it is.
        hsm_ca_file: caFile === undefined ? paths(dir).ca : caCertificate(caFile, ctx.cwd).file,
        servers: manifest.hsms.map((h) => ({ hostname: h.host, port: h.port, enable: true })),
        ...clientTlsMembers(
          options.string('client-cert-hsm-tls-file'),
          options.string('client-key-hsm-tls-file'),
          ctx.cwd,
        ),
      },
    };
    config.clusters.push(entry);
    writeRawConfig(file, config);
    return 0;
  },
});
