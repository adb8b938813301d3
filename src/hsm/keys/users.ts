// The crypto users a key may be shared with: existing crypto users other than the owner, each once.
import { HsmError } from '../../errors.js';
import { parseUsername } from '../rules.js';
import type { Store } from '../store/store.js';
import type { OpContext } from '../op-context.js';

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

/** Removes `username` from the shared users of every key (a deleted user's name must not grant a later user access). */
export function dropShares(ctx: OpContext, username: string): void {
  const viewer = { username, role: 'crypto-user' as const, sessionId: -1 };
  const { keys } = ctx.store.findKeys(viewer, [], { limit: Number.MAX_SAFE_INTEGER, offset: 0 });
  for (const key of keys)
    if (key.shared.includes(username))
      ctx.store.updateKey({ ...key, shared: key.shared.filter((u) => u !== username) });
}
