// crypto verify rsa-pkcs-pss: verifies a signature with a public key.
import { verifyCommand } from '../../../signatures.js';

export const cryptoVerifyRsaPkcsPssCommand = verifyCommand(
  'rsa-pkcs-pss',
  'Verify with the RSA-PKCS-PSS mechanism',
);
