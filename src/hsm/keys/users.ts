// The crypto users a key may be shared with: existing crypto users other than the owner, each once.
import { HsmError } from '../../errors.js';
import { parseUsername } from '../rules.js';
import type { Store } from '../store/store.js';
import type { OpContext } from '../op-context.js';
import { formatRef } from './record.js';

export function shareTarget(store: Store, owner: string, rawUsername: string): string {
  const username = parseUsername(rawUsername);
  const user = store.getUser(username);
  if (!user) throw new HsmError('ERR_USER_NOT_FOUND', { username });
  if (user.role !== 'crypto-user') throw new HsmError('ERR_KEY_SHARE_ROLE');
  if (username === owner) throw new HsmError('ERR_KEY_SHARE_OWNER');
  return username;
}

export function shareTargets(store: Store, owner: string, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const username = shareTarget(store, owner, name);
    if (out.includes(username)) throw new HsmError('ERR_KEY_ALREADY_SHARED', { username });
    out.push(username);
  }
  return out;
}

/**
 * Removes `username` from the shared users of every key (a deleted user's name must not grant a later user
 * access). Refused, changing nothing, when a key's quorum values need that user: as `key unshare` refuses,
 * so a key never keeps more required approvals than it has associated users (it could never be used again).
 */
export function dropShares(ctx: OpContext, username: string): void {
  const viewer = { username, role: 'crypto-user' as const, sessionId: -1 };
  const { keys } = ctx.store.findKeys(viewer, [], { limit: Number.MAX_SAFE_INTEGER, offset: 0 });
  const shared = keys.filter((key) => key.shared.includes(username));
  for (const key of shared) {
    // Associated users after the delete: the owner and the other shared users.
    const remaining = key.shared.length;
    const needed = Math.max(key.manageQuorum, key.useQuorum);
    if (remaining < needed)
      throw new HsmError('ERR_USER_KEY_QUORUM', { username, ref: formatRef(key.ref), needed });
  }
  for (const key of shared) ctx.store.updateKey({ ...key, shared: key.shared.filter((u) => u !== username) });
}
