// crypto sign ecdsa: signs data with a private key (the client hashes raw data; the HSM signs).
import { signCommand } from '../../../signatures.js';

export const cryptoSignEcdsaCommand = signCommand('ecdsa', 'Sign with the ECDSA mechanism');
