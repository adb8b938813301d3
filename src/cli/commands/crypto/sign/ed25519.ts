// crypto sign ed25519: signs with a private key on an hsm2m.medium cluster in non-FIPS mode (spec §12.2).
import { gatedSignCommand } from '../../../signatures.js';

export const cryptoSignEd25519Command = gatedSignCommand('ed25519', 'Sign with the Ed25519 mechanism');
