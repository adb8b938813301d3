// crypto sign rsa-pkcs-pss: signs data with a private key (the client hashes raw data; the HSM signs).
import { signCommand } from '../../../signatures.js';

export const cryptoSignRsaPkcsPssCommand = signCommand(
  'rsa-pkcs-pss',
  'Sign with the RSA-PKCS-PSS mechanism',
);
