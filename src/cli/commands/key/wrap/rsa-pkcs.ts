// key wrap rsa-pkcs: wraps a private or secret key the caller owns (spec §10).
import { wrapCommand } from '../../../key-wrap.js';

export const keyWrapRsaPkcsCommand = wrapCommand('rsa-pkcs');
