// Test helper: the JSON envelopes printed one after another on stdout (the interactive shell prints one per command).
export interface EnvelopeJson {
  error_code: number;
  data: any;
}

/** Splits stdout into its pretty-printed envelopes (each ends with a `}` line at column 0). */
export function envelopes(stdout: string): EnvelopeJson[] {
  return stdout
    .split(/(?<=^\}\n)/m)
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => JSON.parse(chunk) as EnvelopeJson);
}
