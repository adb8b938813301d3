// key unwrap aes-no-pad: unwraps wrapped key data into a new key owned by the caller (spec §10).
import { unwrapCommand } from '../../../key-wrap.js';

export const keyUnwrapAesNoPadCommand = unwrapCommand('aes-no-pad');
