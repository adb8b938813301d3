// key wrap aes-pkcs5-pad: wraps a private or secret key the caller owns (spec §10).
import { wrapCommand } from '../../../key-wrap.js';

export const keyWrapAesPkcs5PadCommand = wrapCommand('aes-pkcs5-pad');
