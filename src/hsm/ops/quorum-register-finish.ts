// quorum-register-finish: verifies this HSM's signed registration token, then (commit) registers the user's quorum key.
import crypto from 'node:crypto';
import { HsmError } from '../../errors.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';
import { MAX_REGISTRATION_DATA_BYTES } from '../../protocol/quorum.js';
import {
  decodeBase64Strict,
  parseTokenSignPublicKey,
  toSpkiPem,
  verifyTokenSignature,
} from '../../tokens/token-sign.js';
import type { OpContext } from '../op-context.js';
import { tokenTimeouts } from '../quorum/settings.js';
import type { QuorumToken } from '../quorum/tokens.js';
import { requireLogin } from '../rules.js';

/**
 * The client calls this on every HSM with `commit: false` first and only then with `commit: true`,
 * so a bad signature or key on one HSM leaves no HSM registered. A re-run after a partial commit
 * succeeds on the HSMs that already hold this exact key (their token was consumed).
 */
export function quorumRegisterFinish(
  ctx: OpContext,
  args: OpArgs<'quorum-register-finish'>,
): OpResult<'quorum-register-finish'> {
  const login = requireLogin(ctx.session);
  const key = parseTokenSignPublicKey(args.publicKey);
  const pem = toSpkiPem(key);
  const tokens = ctx.node.quorumTokens;
  const mine = findOwnEntry(ctx, args.tokens);
  const user = ctx.store.getUser(login.username);
  if (!user) throw new HsmError('ERR_USER_NOT_FOUND', { username: login.username });
  if (!mine) {
    if (user.quorumPublicKey === pem)
      return { username: login.username, role: login.role, alreadyInEffect: true };
    throw new HsmError('ERR_REGISTRATION_TOKEN_MISSING');
  }
  const { token, entry } = mine;
  if (tokens.stateOf(token) === 'dead') {
    tokens.remove(token);
    throw new HsmError('ERR_REGISTRATION_TOKEN_MISSING');
  }
  if (token.session !== ctx.session || token.login !== login)
    throw new HsmError('ERR_QUORUM_TOKEN_NOT_OWNED');
  if (tokens.stateOf(token) === 'expired') {
    tokens.remove(token);
    throw new HsmError('ERR_QUORUM_TOKEN_EXPIRED', {
      timeout: 'generated',
      seconds: tokenTimeouts(ctx.store).generated,
    });
  }
  const digest = crypto.createHash('sha256').update(token.record).digest();
  const unsigned = decodeBase64Strict(entry.unsigned);
  if (!unsigned || unsigned.length !== digest.length || !crypto.timingSafeEqual(unsigned, digest)) {
    throw new HsmError('ERR_APPROVAL_INVALID', { detail: 'unsigned is not the SHA-256 of approval_data' });
  }
  const signature = decodeBase64Strict(entry.signed);
  if (!signature || !verifyTokenSignature(key, digest, signature))
    throw new HsmError('ERR_REGISTRATION_SIGNATURE');
  if (!args.commit) return { username: login.username, role: login.role };
  ctx.store.transaction(() => {
    const current = ctx.store.getUser(login.username);
    if (!current) throw new HsmError('ERR_USER_NOT_FOUND', { username: login.username });
    ctx.store.updateUser({ ...current, quorumPublicKey: pem });
    if (!tokens.remove(token)) throw new HsmError('ERR_QUORUM_TOKEN_INVALID');
  });
  return { username: login.username, role: login.role };
}

function findOwnEntry(
  ctx: OpContext,
  entries: OpArgs<'quorum-register-finish'>['tokens'],
): { token: QuorumToken; entry: (typeof entries)[number] } | undefined {
  const tokens = ctx.node.quorumTokens;
  for (const entry of entries) {
    const data = decodeBase64Strict(entry.approvalData);
    if (!data || data.length > MAX_REGISTRATION_DATA_BYTES) continue;
    const token = tokens.find(data);
    // Registration data is exactly one record: a longer blob that merely contains it is not this HSM's token.
    if (token && token.service === 'registration' && token.record.equals(data)) return { token, entry };
  }
  return undefined;
}
