// crypto sign ed25519ph: signs with a private key on an hsm2m.medium cluster in non-FIPS mode (spec §12.2).
import { gatedSignCommand } from '../../../signatures.js';

export const cryptoSignEd25519phCommand = gatedSignCommand('ed25519ph', 'Sign with the Ed25519ph mechanism');
