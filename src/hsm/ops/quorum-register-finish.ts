// quorum-register-finish: verifies the signed registration token holding this HSM's record, then (commit) registers the user's quorum key.
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
import { isRegistrationRecord, splitRecords } from '../quorum/record.js';
import type { QuorumToken } from '../quorum/tokens.js';
import { requireLogin } from '../rules.js';

/**
 * The client calls this on every HSM with `commit: false` first and only then with `commit: true`,
 * so a bad signature or key on one HSM leaves no HSM registered. A re-run after a partial commit
 * succeeds on the HSMs that already hold this exact key (their token was consumed).
 *
 * A registration token is not bound to a session (the documented set-up registers from a new
 * process): possession of the key is proven by the signature over a fresh, single-use record this HSM
 * issued, and the registering login decides whose key it becomes. A token generated while logged in
 * names its user and only that user may register with it.
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
  const { token, entry, data } = mine;
  if (tokens.stateOf(token) === 'dead') {
    tokens.remove(token);
    throw new HsmError('ERR_REGISTRATION_TOKEN_MISSING');
  }
  if (token.username !== '' && token.username !== login.username)
    throw new HsmError('ERR_REGISTRATION_TOKEN_OWNER', { owner: token.username });
  if (tokens.stateOf(token) === 'expired') {
    tokens.remove(token);
    throw new HsmError('ERR_QUORUM_TOKEN_EXPIRED', {
      timeout: 'generated',
      seconds: tokenTimeouts(ctx.store).generated,
    });
  }
  // The signed value covers the whole entry: every HSM's record, this one's among them.
  const digest = crypto.createHash('sha256').update(data).digest();
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
    // Single use: a second presentation (by anyone, from any process) finds no token here.
    if (!tokens.remove(token)) throw new HsmError('ERR_QUORUM_TOKEN_INVALID');
  });
  return { username: login.username, role: login.role };
}

type Entry = OpArgs<'quorum-register-finish'>['tokens'][number];

/**
 * The entry holding this HSM's registration record: an entry's approval_data is whole registration
 * records (one per HSM of the cluster, or one alone in the per-HSM files of earlier versions).
 */
function findOwnEntry(
  ctx: OpContext,
  entries: readonly Entry[],
): { token: QuorumToken; entry: Entry; data: Buffer } | undefined {
  const tokens = ctx.node.quorumTokens;
  for (const entry of entries) {
    const data = decodeBase64Strict(entry.approvalData);
    if (!data || data.length > MAX_REGISTRATION_DATA_BYTES) continue;
    const records = splitRecords(data);
    // Only registration records: the records of an approval token never stand in for one.
    if (!records || !records.every(isRegistrationRecord)) continue;
    const token = tokens.find(data);
    if (token && token.service === 'registration') return { token, entry, data };
  }
  return undefined;
}
