// Shared pieces of the quorum-aware cloudhsm-cli commands: --approval files, the guard override, hints.
import { HsmError } from '../errors.js';
import { ADMIN_SERVICES, type Approval, TOKEN_SERVICES, type TokenService } from '../protocol/quorum.js';
import { readApprovalFile, toWireApproval } from '../tokens/approval-file.js';
import type { CliIo } from './context.js';
import type { OptionSpec, ParsedOptions, PossibleValue } from '../command/spec.js';

/** The parsed `--approval FILE`, validated before anything is sent; undefined when not given. */
export function approvalFrom(options: ParsedOptions<'approval'>): Approval | undefined {
  const file = options.string('approval');
  return file === undefined ? undefined : toWireApproval(readApprovalFile(file));
}

export const ALLOW_UNMANAGEABLE_OPTION: OptionSpec<'allow-unmanageable'> = {
  long: 'allow-unmanageable',
  help: 'With the quorum guard policy on (quorum token-sign set-policy --quorum-guard on): allow a change that leaves a service with fewer quorum approvers than its quorum value (the cluster may then be impossible to administer). With the policy off (the default) such a change is made with a warning, as in CloudHSM',
  extension: true,
};

/** Runs a command step; when approvals fell short, names on stderr the entries that did not count and why. */
export async function withApprovalHints<T>(io: CliIo, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (
      error instanceof HsmError &&
      error.code === 'ERR_QUORUM_TOO_FEW' &&
      typeof error.params.ignored === 'string'
    ) {
      io.warn(`note: approvals that did not count: ${error.params.ignored}`);
    }
    throw error;
  }
}

/** A whole number from an option value, else `error` (the node checks the range). */
export function wholeNumber(text: string, error: HsmError): number {
  if (!/^\d{1,9}$/.test(text)) throw error;
  return Number(text);
}

/** The `--service` help of every quorum service (the closed set is TOKEN_SERVICES in src/protocol/quorum.ts). */
const SERVICE_HELP: Record<TokenService, string> = {
  user: 'User management service is used for executing quorum authenticated user management operations',
  quorum: 'Quorum management service is used for setting quorum values for any quorum service',
  cluster:
    'Cluster management service is used for executing quorum for cluster wide configuration managements like mtls enforcement, mtls registration and mtls deregistration',
  registration: 'Registration service is used for registering a public key for quorum authentication',
  'key-usage': 'Key usage service is used for executing quorum authenticated key usage operations',
  'key-management':
    'Key management service is used for executing quorum authenticated key management operations',
};

const possibleServices = (services: readonly TokenService[]): readonly PossibleValue[] =>
  services.map((value) => ({ value, help: SERVICE_HELP[value] }));

/** The admin services, as `--service` possible values (set-quorum-value). */
export const ADMIN_SERVICE_VALUES = possibleServices(ADMIN_SERVICES);
/** Every service a token can be generated for, as `--service` possible values (generate). */
export const TOKEN_SERVICE_VALUES = possibleServices(TOKEN_SERVICES);

/** `--service <SERVICE>` with the given possible values. */
export function serviceOption(possible: readonly PossibleValue[]): OptionSpec<'service'> {
  return {
    long: 'service',
    value: 'SERVICE',
    required: true,
    help: 'Service the token will be used for',
    possible,
  };
}
