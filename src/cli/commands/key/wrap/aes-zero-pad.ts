// key wrap aes-zero-pad: wraps a private or secret key the caller owns (spec §10).
import { wrapCommand } from '../../../key-wrap.js';

export const keyWrapAesZeroPadCommand = wrapCommand('aes-zero-pad');
