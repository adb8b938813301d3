// crypto verify ml-dsa: verifies a signature with a public key on an hsm2m.medium cluster (spec §12.2).
import { gatedVerifyCommand } from '../../../signatures.js';

export const cryptoVerifyMlDsaCommand = gatedVerifyCommand(
  'ml-dsa',
  'Verifies a signature with a ML-DSA public key',
);
