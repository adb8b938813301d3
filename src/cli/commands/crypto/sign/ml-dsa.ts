// crypto sign ml-dsa: signs with a private key on an hsm2m.medium cluster (spec §12.2).
import { gatedSignCommand } from '../../../signatures.js';

export const cryptoSignMlDsaCommand = gatedSignCommand('ml-dsa', 'Signs data with a ML-DSA private key');
