// crypto verify rsa-pkcs: verifies a signature with a public key.
import { verifyCommand } from '../../../signatures.js';

export const cryptoVerifyRsaPkcsCommand = verifyCommand('rsa-pkcs', 'Verify with the RSA-PKCS mechanism');
