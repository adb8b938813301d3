// key wrap aes-no-pad: wraps a private or secret key the caller owns (spec §10).
import { wrapCommand } from '../../../key-wrap.js';

export const keyWrapAesNoPadCommand = wrapCommand('aes-no-pad');
