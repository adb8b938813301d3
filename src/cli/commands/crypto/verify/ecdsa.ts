// crypto verify ecdsa: verifies a signature with a public key.
import { verifyCommand } from '../../../signatures.js';

export const cryptoVerifyEcdsaCommand = verifyCommand('ecdsa', 'Verify with the ECDSA mechanism');
