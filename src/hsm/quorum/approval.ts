// The one quorum check of admin operations: is this approval token good for this session, service and M?
import crypto from 'node:crypto';
import { HsmError } from '../../errors.js';
import { type AdminService, type Approval, MAX_APPROVAL_DATA_BYTES } from '../../protocol/quorum.js';
import { normalizeUsername } from '../../protocol/types.js';
import {
  decodeBase64Strict,
  parseTokenSignPublicKey,
  verifyTokenSignature,
} from '../../tokens/token-sign.js';
import type { OpContext } from '../op-context.js';
import { requireLogin } from '../rules.js';
import { isApprover } from './approvers.js';
import { quorumPolicy, quorumValue, tokenTimeouts } from './settings.js';
import type { QuorumToken } from './tokens.js';

/** What a passed check hands to the operation: `commit()` consumes the token, inside the operation's transaction. */
export interface QuorumGrant {
  /** The token this grant consumes; undefined when the service needs no quorum. */
  readonly token: QuorumToken | undefined;
  /** Consumes the token (single use). Throws if it was consumed meanwhile, so the transaction rolls back. */
  commit(): void;
}

const NO_QUORUM: QuorumGrant = { token: undefined, commit() {} };

/**
 * Checks `approval` for an operation of `service` by the session's user. With a quorum value of 1
 * nothing is required (an approval given anyway is ignored and not consumed). Otherwise the token
 * must have been issued by this HSM to this very login for this service, not be expired, and carry
 * at least M valid signatures of distinct approvers. Passing marks the token approved (its
 * approved timeout starts) but does not consume it: the operation calls `grant.commit()` as the
 * last step of its transaction, so a refusal for another reason leaves the token usable.
 *
 * Usage in an operation:
 *   const grant = requireQuorumApproval(ctx, 'user', args.approval);
 *   ctx.store.transaction(() => { ...checks...; ...writes...; grant.commit(); });
 */
export function requireQuorumApproval(
  ctx: OpContext,
  service: AdminService,
  approval: Approval | undefined,
): QuorumGrant {
  const requester = requireLogin(ctx.session);
  const required = quorumValue(ctx.store, service);
  if (required <= 1) return NO_QUORUM;
  if (!approval) throw new HsmError('ERR_QUORUM_REQUIRED');

  const approvalData = decodeBase64Strict(approval.approvalData);
  const token = decodeBase64Strict(approval.token);
  if (!approvalData || approvalData.length === 0 || approvalData.length > MAX_APPROVAL_DATA_BYTES) {
    throw new HsmError('ERR_APPROVAL_INVALID', {
      detail: 'approval_data is not valid base64 of 1 to 2240 bytes',
    });
  }
  if (!token || token.length !== 32)
    throw new HsmError('ERR_APPROVAL_INVALID', { detail: 'token is not base64 of 32 bytes' });
  const digest = crypto.createHash('sha256').update(approvalData).digest();
  if (!crypto.timingSafeEqual(digest, token)) {
    throw new HsmError('ERR_APPROVAL_INVALID', { detail: 'token is not the SHA-256 of approval_data' });
  }

  const tokens = ctx.node.quorumTokens;
  const issued = tokens.find(approvalData);
  if (!issued) throw new HsmError('ERR_QUORUM_TOKEN_INVALID');
  const state = tokens.stateOf(issued);
  // A token whose login ended is gone, whether or not it was purged yet: same answer either way.
  if (state === 'dead') {
    tokens.remove(issued);
    throw new HsmError('ERR_QUORUM_TOKEN_INVALID');
  }
  // The service first: a registration token is bound to no session, and is simply the wrong kind here.
  if (issued.service !== service) {
    throw new HsmError('ERR_QUORUM_WRONG_SERVICE', { actual: issued.service, service });
  }
  if (issued.bound?.session !== ctx.session || issued.bound.login !== requester)
    throw new HsmError('ERR_QUORUM_TOKEN_NOT_OWNED');
  if (state === 'expired') {
    const timeouts = tokenTimeouts(ctx.store);
    const kind = issued.approvedAt === undefined ? 'generated' : 'approved';
    tokens.remove(issued);
    throw new HsmError('ERR_QUORUM_TOKEN_EXPIRED', { timeout: kind, seconds: timeouts[kind] });
  }

  const { count, ignored } = countApprovals(ctx, service, requester.username, token, approval);
  if (count < required) {
    throw new HsmError('ERR_QUORUM_TOO_FEW', {
      current: count,
      required,
      ...(ignored.length ? { ignored: ignored.join('; ') } : {}),
    });
  }
  if (issued.approvedAt === undefined) issued.approvedAt = ctx.node.clock.now();
  issued.approvals = count;
  return {
    token: issued,
    commit() {
      if (!tokens.remove(issued)) throw new HsmError('ERR_QUORUM_TOKEN_INVALID');
    },
  };
}

/**
 * Distinct approvers whose signature over the token verifies with their registered quorum key.
 * Entries that do not count are named in `ignored` (usernames and reasons only, never signatures).
 */
function countApprovals(
  ctx: OpContext,
  service: AdminService,
  requester: string,
  token: Buffer,
  approval: Approval,
): { count: number; ignored: string[] } {
  const selfApproval = quorumPolicy(ctx.store).selfApproval;
  const counted = new Set<string>();
  const ignored: string[] = [];
  for (const entry of approval.signatures) {
    const username = normalizeUsername(entry.username).slice(0, 64);
    if (counted.has(username)) continue;
    const why = rejectReason(ctx, service, requester, selfApproval, username, token, entry.signature);
    if (why) ignored.push(`${username}: ${why}`);
    else counted.add(username);
  }
  return { count: counted.size, ignored: [...new Set(ignored)].slice(0, 16) };
}

function rejectReason(
  ctx: OpContext,
  service: AdminService,
  requester: string,
  selfApproval: boolean,
  username: string,
  token: Buffer,
  signatureText: string,
): string | undefined {
  if (username === requester && !selfApproval) return 'self-approval is disabled';
  const user = ctx.store.getUser(username);
  if (!user) return 'no such user';
  if (!isApprover(user, service)) {
    if (user.role !== 'admin') return `a ${user.role} cannot approve service ${service}`;
    if (user.locked) return 'the user is locked';
    return 'no quorum key registered';
  }
  const signature = decodeBase64Strict(signatureText);
  if (!signature) return 'signature is not valid base64';
  let verified = false;
  try {
    verified = verifyTokenSignature(parseTokenSignPublicKey(user.quorumPublicKey!), token, signature);
  } catch {
    verified = false;
  }
  return verified ? undefined : 'signature does not verify with the registered quorum key';
}
