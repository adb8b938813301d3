// crypto verify ed25519ph: verifies a signature with a public key on an hsm2m.medium cluster in non-FIPS mode (spec §12.2).
import { gatedVerifyCommand } from '../../../signatures.js';

export const cryptoVerifyEd25519phCommand = gatedVerifyCommand(
  'ed25519ph',
  'Verify with the Ed25519ph mechanism',
);
