// key unwrap aes-pkcs5-pad: unwraps wrapped key data into a new key owned by the caller (spec §10).
import { unwrapCommand } from '../../../key-wrap.js';

export const keyUnwrapAesPkcs5PadCommand = unwrapCommand('aes-pkcs5-pad');
