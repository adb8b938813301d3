// What every token file shares (MFA, registration and approval files alike): the format version and how
// LocalHSM writes one.
import { writeFileAtomic } from '../files/atomic-write.js';
import { PRIVATE_FILE_MODE } from '../files/modes.js';

/** The `version` of every token file cloudhsm-cli writes and reads. */
export const TOKEN_FILE_VERSION = '2.0';

/** The layout cloudhsm-cli writes: JSON with a 2-space indent and a final newline. */
export function tokenFileText(document: object): string {
  return JSON.stringify(document, null, 2) + '\n';
}

/**
 * Token files are private (0600), also when they replace a wider file; written atomically, `~/` is the
 * home directory; a failure is ERR_FILE naming the file as given.
 */
export function writeTokenFile(file: string, document: object): void {
  writeFileAtomic(file, tokenFileText(document), PRIVATE_FILE_MODE);
}
