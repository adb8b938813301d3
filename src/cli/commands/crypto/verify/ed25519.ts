// crypto verify ed25519: verifies a signature with a public key on an hsm2m.medium cluster in non-FIPS mode (spec §12.2).
import { gatedVerifyCommand } from '../../../signatures.js';

export const cryptoVerifyEd25519Command = gatedVerifyCommand('ed25519', 'Verify with the Ed25519 mechanism');
