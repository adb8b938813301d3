// The one place where command results and errors become the cloudhsm-cli JSON envelope.
import { HsmError } from '../errors.js';

export interface Envelope {
  error_code: 0 | 1;
  data: unknown;
}

export function successEnvelope(data: unknown): Envelope {
  return { error_code: 0, data };
}

/** Expected failures show their message; anything else a generic text (details go to stderr). */
export function errorEnvelope(error: unknown): Envelope {
  return { error_code: 1, data: error instanceof HsmError ? error.message : 'An unexpected error occurred' };
}

export function renderEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope, null, 2) + '\n';
}
