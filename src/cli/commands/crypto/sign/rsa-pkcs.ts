// crypto sign rsa-pkcs: signs data with a private key (the client hashes raw data; the HSM signs).
import { signCommand } from '../../../signatures.js';

export const cryptoSignRsaPkcsCommand = signCommand('rsa-pkcs', 'Sign with the RSA-PKCS mechanism');
