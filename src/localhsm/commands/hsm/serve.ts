// localhsm hsm serve: runs one HSM node in this process until SIGTERM or SIGINT.
import { rotatingLog } from '../../../hsm/node-log.js';
import { serveHsm } from '../../../hsm/serve.js';
import { applianceCaCertificate } from '../../appliance-tls.js';
import { startKeySyncJob } from '../../key-sync-job.js';
import { localCommand } from '../../context.js';

export const hsmServeCommand = localCommand({
  path: ['hsm', 'serve'],
  about: 'Run one HSM node (TLS only) on its data directory; localhsm up runs one per HSM',
  options: [
    {
      long: 'data',
      value: 'DIR',
      required: true,
      help: 'The HSM data directory (hsm.db, node.crt, node.key)',
    },
    { long: 'port', value: 'PORT', required: true, help: 'TCP port to listen on' },
    { long: 'host', value: 'HOST', help: 'Address to listen on [default: 127.0.0.1]' },
    {
      long: 'cluster-state',
      value: 'DIR',
      help: "The cluster's state directory: run server-side key sync into this HSM every LOCALHSM_KEY_SYNC_SECONDS (default 30) [default: no sync]",
    },
    {
      long: 'log',
      value: 'FILE',
      help: 'Append log lines to FILE, rotated at 5 MiB with 3 old files kept [default: stderr]',
    },
  ],
  async run(options, ctx) {
    const file = options.string('log');
    const write = file ? rotatingLog(file) : (line: string) => ctx.err(line);
    const log = (line: string) => write(`${new Date().toISOString()} ${line}`);
    const serving = await serveHsm({
      dataDir: options.required('data'),
      host: options.string('host') ?? '127.0.0.1',
      port: Number(options.required('port')),
      log,
      applianceCa: applianceCaCertificate,
    });
    const clusterState = options.string('cluster-state');
    const job = clusterState
      ? startKeySyncJob(clusterState, serving.node.hsmId, ctx.env.LOCALHSM_KEY_SYNC_SECONDS, log)
      : undefined;
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await job?.stop();
    await serving.stop();
    return 0;
  },
});
