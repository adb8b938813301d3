// key unshare: the owner unshares a key with a crypto user on every HSM.
import { keySharingCommand } from '../../key-sharing.js';

export const keyUnshareCommand = keySharingCommand('unshare');
