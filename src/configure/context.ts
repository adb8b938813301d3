// What a configure-cli command runs with: the config file it changes, its environment and stderr.
import type { ConfigChoice } from '../cluster/install-paths.js';
import type { CommandSpec } from '../command/spec.js';

export interface ConfigureContext {
  /** The cloudhsm-cli.cfg this run changes: the one cloudhsm-cli would read here (chooseConfig). */
  config: ConfigChoice;
  env: NodeJS.ProcessEnv;
  cwd: string;
  err(line: string): void;
}

/** A configure-cli command; it prints nothing on success, like the real tool, and returns its exit status. */
export type ConfigureCommand<Name extends string = string> = CommandSpec<ConfigureContext, number, Name>;

export function configureCommand<const Name extends string>(
  spec: ConfigureCommand<Name>,
): ConfigureCommand<Name> {
  return spec;
}

export const CLIENT_CERT_OPTION = {
  long: 'client-cert-hsm-tls-file',
  value: 'CLIENT_CERT_HSM_TLS_FILE',
  help: 'Path to the client certificate used for TLS client-HSM mutual authentication (with --client-key-hsm-tls-file)',
} as const;

export const CLIENT_KEY_OPTION = {
  long: 'client-key-hsm-tls-file',
  value: 'CLIENT_KEY_HSM_TLS_FILE',
  help: 'Path to the client key used for TLS client-HSM mutual authentication (with --client-cert-hsm-tls-file)',
} as const;

export const REGION_OPTION = {
  long: 'region',
  value: 'REGION',
  help: 'Region of the cluster (with --cluster-id; LocalHSM accepts and ignores it: its clusters are local)',
} as const;

export const ENDPOINT_OPTION = {
  long: 'endpoint',
  value: 'ENDPOINT',
  help: 'AWS CloudHSM API endpoint (with --cluster-id; LocalHSM accepts and ignores it)',
} as const;
