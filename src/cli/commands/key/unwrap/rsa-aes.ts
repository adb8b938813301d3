// key unwrap rsa-aes: unwraps wrapped key data into a new key owned by the caller (spec §10).
import { unwrapCommand } from '../../../key-wrap.js';

export const keyUnwrapRsaAesCommand = unwrapCommand('rsa-aes');
