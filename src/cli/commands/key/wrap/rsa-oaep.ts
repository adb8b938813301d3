// key wrap rsa-oaep: wraps a private or secret key the caller owns (spec §10).
import { wrapCommand } from '../../../key-wrap.js';

export const keyWrapRsaOaepCommand = wrapCommand('rsa-oaep');
