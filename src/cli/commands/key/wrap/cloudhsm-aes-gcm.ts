// key wrap cloudhsm-aes-gcm: wraps a private or secret key the caller owns (spec §10).
import { wrapCommand } from '../../../key-wrap.js';

export const keyWrapCloudhsmAesGcmCommand = wrapCommand('cloudhsm-aes-gcm');
