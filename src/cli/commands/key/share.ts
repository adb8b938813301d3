// key share: the owner shares a key with a crypto user on every HSM.
import { keySharingCommand } from '../../key-sharing.js';

export const keyShareCommand = keySharingCommand('share');
