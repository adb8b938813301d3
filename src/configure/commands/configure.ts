// configure-cli [OPTIONS]: changes the cloudhsm-cli.cfg cloudhsm-cli reads (servers, CA, checks, logging, mTLS).
import path from 'node:path';
import { entryIndex, readRawConfig, setAddresses, writeRawConfig } from '../../cluster/config-edit.js';
import { UsageError } from '../../command/parse.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import {
  CLIENT_CERT_OPTION,
  CLIENT_KEY_OPTION,
  ENDPOINT_OPTION,
  REGION_OPTION,
  configureCommand,
} from '../context.js';
import { caCertificate, clientTlsMembers } from './client-tls.js';

/** Options that change something; `--cluster-id` alone only checks the cluster is configured. */
const CHANGES = [
  'address',
  'hsm-ca-cert',
  'disable-key-availability-check',
  'enable-key-availability-check',
  'disable-validate-key-at-init',
  'enable-validate-key-at-init',
  'log-type',
  'log-file',
  'log-level',
  'log-rotation',
  'default-retry-mode',
  'client-cert-hsm-tls-file',
  'client-key-hsm-tls-file',
] as const;

export const configureRootCommand = configureCommand({
  path: [],
  about: 'Update the configuration file of the AWS CloudHSM CLI (cloudhsm-cli.cfg)',
  version: true,
  options: [
    {
      long: 'address',
      short: 'a',
      value: 'HSM ENI IP',
      multiple: true,
      help: 'IP address(es) of the HSM(s) of the cluster (one -a takes several); LocalHSM also accepts HOST:PORT, and keeps the ports of its HSMs for bare addresses',
    },
    {
      long: 'cluster-id',
      value: 'CLUSTER_ID',
      help: 'The cluster to configure; required when the file holds several clusters (LocalHSM has no DescribeClusters: the cluster must already be in the file, see add-cluster)',
    },
    REGION_OPTION,
    ENDPOINT_OPTION,
    {
      long: 'hsm-ca-cert',
      value: 'HSM CA CERTIFICATE FILE',
      help: 'The CA certificate of the cluster: copied to customerCA.crt beside the configuration file',
    },
    {
      long: 'disable-key-availability-check',
      help: 'Allow keys to be used before they are available on at least 2 HSMs',
    },
    {
      long: 'enable-key-availability-check',
      help: 'Require keys to be available on at least 2 HSMs before they are used (the default)',
    },
    { long: 'disable-validate-key-at-init', help: 'Do not validate keys at initialisation' },
    { long: 'enable-validate-key-at-init', help: 'Validate keys at initialisation' },
    {
      long: 'log-type',
      value: 'LOG_TYPE',
      help: 'Where the log goes',
      possible: [{ value: 'term' }, { value: 'file' }],
    },
    { long: 'log-file', value: 'LOG_FILE', help: 'Log file (with --log-type file)' },
    {
      long: 'log-level',
      value: 'LOG_LEVEL',
      help: 'Log level',
      possible: ['error', 'warn', 'info', 'debug', 'trace'].map((value) => ({ value })),
    },
    {
      long: 'log-rotation',
      value: 'LOG_ROTATION',
      help: 'How often the log file rotates',
      possible: ['never', 'hourly', 'daily'].map((value) => ({ value })),
    },
    {
      long: 'default-retry-mode',
      value: 'DEFAULT_RETRY_MODE',
      help: 'Retry mode of the client',
      possible: [{ value: 'off' }, { value: 'standard' }],
    },
    CLIENT_CERT_OPTION,
    CLIENT_KEY_OPTION,
  ],
  conflicts: [
    ['disable-key-availability-check', 'enable-key-availability-check'],
    ['disable-validate-key-at-init', 'enable-validate-key-at-init'],
  ],
  requires: [
    ['region', 'cluster-id'],
    ['endpoint', 'cluster-id'],
    ['client-cert-hsm-tls-file', 'client-key-hsm-tls-file'],
    ['client-key-hsm-tls-file', 'client-cert-hsm-tls-file'],
  ],
  examples: [
    'sudo /opt/cloudhsm/bin/configure-cli -a 127.0.0.1',
    'configure-cli --hsm-ca-cert customerCA.crt --disable-key-availability-check',
    'configure-cli --client-cert-hsm-tls-file client.crt --client-key-hsm-tls-file client.key',
  ],
  async run(options, ctx) {
    if (!CHANGES.some((name) => options.has(name)) && !options.has('cluster-id'))
      throw new UsageError(
        "error: no option given: nothing to configure\n\nUsage: configure-cli [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.",
      );
    const file = ctx.config.file;
    const config = readRawConfig(file);
    const entry = config.clusters[entryIndex(config, file, options.string('cluster-id'))]!;
    // Every input is read and checked before the file changes.
    const tls = clientTlsMembers(
      options.string('client-cert-hsm-tls-file'),
      options.string('client-key-hsm-tls-file'),
      ctx.cwd,
    );
    const caFile = options.string('hsm-ca-cert');
    const ca = caFile === undefined ? undefined : caCertificate(caFile, ctx.cwd);
    if (options.has('address')) setAddresses(entry, options.list('address'));
    Object.assign(entry.cluster, tls);
    if (options.flag('disable-key-availability-check')) config.disable_key_availability_check = true;
    if (options.flag('enable-key-availability-check')) config.disable_key_availability_check = false;
    if (options.flag('disable-validate-key-at-init')) config.validate_key_at_init = false;
    if (options.flag('enable-validate-key-at-init')) config.validate_key_at_init = true;
    const retry = options.string('default-retry-mode');
    if (retry !== undefined) config.default_retry_mode = retry;
    const logging: Record<string, unknown> =
      typeof config.logging === 'object' && config.logging !== null
        ? (config.logging as Record<string, unknown>)
        : {};
    for (const [option, member] of [
      ['log-type', 'log_type'],
      ['log-file', 'log_file'],
      ['log-level', 'log_level'],
      ['log-rotation', 'log_interval'],
    ] as const) {
      const value = options.string(option);
      if (value !== undefined)
        logging[member] =
          path.isAbsolute(value) || option !== 'log-file' ? value : path.resolve(ctx.cwd, value);
    }
    if (Object.keys(logging).length > 0) config.logging = logging;
    if (ca) {
      const target = path.join(path.dirname(file), 'customerCA.crt');
      if (path.resolve(ca.file) !== target) writeFileAtomic(target, ca.pem, 0o644);
      entry.cluster.hsm_ca_file = target;
    }
    writeRawConfig(file, config);
    return 0;
  },
});
