// Shared pieces of the quorum-aware cloudhsm-cli commands: --approval files, the guard override, hints.
import { HsmError } from '../errors.js';
import type { Approval } from '../protocol/quorum.js';
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
  help: 'Allow a change that leaves a service with fewer quorum approvers than its quorum value (the cluster may then be impossible to administer)',
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

/** The admin services, as `--service` possible values (generate adds registration and the key services). */
export const ADMIN_SERVICES: readonly PossibleValue[] = [
  {
    value: 'user',
    help: 'User management service is used for executing quorum authenticated user management operations',
  },
  {
    value: 'quorum',
    help: 'Quorum management service is used for setting quorum values for any quorum service',
  },
  {
    value: 'cluster',
    help: 'Cluster management service is used for executing quorum for cluster wide configuration managements like mtls enforcement, mtls registration and mtls deregistration',
  },
];

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
