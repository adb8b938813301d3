// key unwrap aes-zero-pad: unwraps wrapped key data into a new key owned by the caller (spec §10).
import { unwrapCommand } from '../../../key-wrap.js';

export const keyUnwrapAesZeroPadCommand = unwrapCommand('aes-zero-pad');
