// What a cloudhsm-cli command runs with: IO (stdout, stderr, prompts) and the session (cluster connections).
import { ClusterClient } from '../cluster/cluster.js';
import { type CliConfig, readConfig, selectCluster } from '../cluster/config.js';
import { HsmError } from '../errors.js';
import type { Prompter } from '../command/process-io.js';
import type { CommandSpec, OptionSpec } from '../command/spec.js';
import type { ParsedOptions } from '../command/spec.js';
import type { LoginRole } from '../protocol/types.js';
import type { StateSource } from './hints.js';

/** A cloudhsm-cli command's IO: warnings on stderr and prompts. */
export type CliIo = Prompter;

/** Connections to the clusters of one config, kept for the life of a process or a shell. */
export class CliSession {
  private config: CliConfig | undefined;
  private readonly clients = new Map<string, ClusterClient>();
  /** The client of the config's one cluster, asked for without an id. */
  private onlyClient: ClusterClient | undefined;
  /** The state directory and where its path came from, for the hints after an error (src/cli/hints.ts). */
  state: { dir: string; source: StateSource; installed: string } | undefined;

  constructor(
    readonly configFile: string,
    /** `interactive --cluster-id`: the default for commands that do not name one. */
    public defaultClusterId?: string,
  ) {}

  cluster(clusterId?: string): ClusterClient {
    // Commands of one session ask for the same cluster again and again (the library runs many at once).
    const asked = clusterId ?? this.defaultClusterId;
    const known = asked === undefined ? this.onlyClient : this.clients.get(asked);
    if (known) return known;
    this.config ??= readConfig(this.configFile);
    const entry = selectCluster(this.config, this.configFile, clusterId ?? this.defaultClusterId);
    let client = this.clients.get(entry.clusterId);
    if (!client) {
      client = new ClusterClient(entry);
      this.clients.set(entry.clusterId, client);
    }
    if (asked === undefined) this.onlyClient = client;
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    this.onlyClient = undefined;
  }
}

export interface CliContext {
  io: CliIo;
  session: CliSession;
  env: NodeJS.ProcessEnv;
}

/** A login single-command mode makes from `<prefix>ROLE` / `<prefix>PIN`, on the cluster the option names. */
export interface EnvLogin {
  option: string;
  prefix: 'CLOUDHSM_' | 'DESTINATION_CLOUDHSM_';
}

export interface CliCommand<Name extends string = string> extends CommandSpec<CliContext, unknown, Name> {
  /** Single-command mode logs in from CLOUDHSM_ROLE / CLOUDHSM_PIN before running it. */
  needsLogin?: boolean;
  /** The logins of single-command mode [default: CLOUDHSM_* on the cluster of --cluster-id]. */
  envLogins?: readonly EnvLogin[];
}

/** A cloudhsm-cli command whose `run` may ask only for the options it declares (see defineCommand). */
export function cliCommand<const Name extends string>(spec: CliCommand<Name>): CliCommand<Name> {
  return spec;
}

export const CLUSTER_ID_OPTION: OptionSpec<'cluster-id'> = {
  long: 'cluster-id',
  value: 'CLUSTER_ID',
  help: 'Unique Id to choose which of the clusters in the config file to run the operation against. If not provided, will fall back to the value provided when interactive mode was started, or error',
};

/**
 * The options, environment logins and cluster pair of a replicate command (user or key): the source logs in
 * from CLOUDHSM_ROLE/PIN, the destination from DESTINATION_CLOUDHSM_ROLE/PIN (cloudhsm-cli.md §1.3).
 */
export const REPLICATE_CLUSTERS = {
  envLogins: [
    { option: 'source-cluster-id', prefix: 'CLOUDHSM_' },
    { option: 'destination-cluster-id', prefix: 'DESTINATION_CLOUDHSM_' },
  ],
  options: [
    { long: 'source-cluster-id', value: 'SOURCE_CLUSTER_ID', required: true, help: 'Source cluster ID' },
    {
      long: 'destination-cluster-id',
      value: 'DESTINATION_CLUSTER_ID',
      required: true,
      help: 'Destination cluster ID',
    },
  ],
} as const;

/** The two clusters a replicate command names; they must differ. */
export function replicateClusters(
  options: ParsedOptions<'source-cluster-id' | 'destination-cluster-id'>,
  session: CliSession,
): { source: ClusterClient; destination: ClusterClient } {
  const sourceId = options.required('source-cluster-id');
  const destinationId = options.required('destination-cluster-id');
  if (sourceId === destinationId) throw new HsmError('ERR_REPLICATE_SAME_CLUSTER');
  return { source: session.cluster(sourceId), destination: session.cluster(destinationId) };
}

export const ROLE_OPTION: OptionSpec<'role'> = {
  long: 'role',
  value: 'ROLE',
  required: true,
  help: 'Role the user has in the cluster',
  // Keyed by LoginRole so the values are exactly the roles; listed in the real CLI's order.
  possible: Object.entries({
    'crypto-user': 'A CryptoUser has the ability to manage and use keys',
    admin: 'An Admin has the ability to manage user accounts',
  } satisfies Record<LoginRole, string>).map(([value, help]) => ({ value, help })),
};

export const APPROVAL_OPTION: OptionSpec<'approval'> = {
  long: 'approval',
  value: 'APPROVAL',
  help: 'Filepath of signed quorum token file to approve operation',
};

export function usernameOption(help: string): OptionSpec<'username'> {
  return { long: 'username', value: 'USERNAME', required: true, help };
}

/** A password from its option, else prompted (with confirmation when it sets a new password). */
export async function passwordFrom(value: string | undefined, io: CliIo, confirm: boolean): Promise<string> {
  if (value !== undefined) return value;
  const password = await io.prompt('Enter password:', { hidden: true });
  if (!confirm) return password;
  const again = await io.prompt('Confirm password:', { hidden: true });
  if (again !== password) throw new HsmError('ERR_PASSWORD_MISMATCH');
  return password;
}
