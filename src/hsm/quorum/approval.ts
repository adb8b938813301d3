// The quorum checks of operations: is this approval token good for this session, service (and key) and M?
import crypto from 'node:crypto';
import { HsmError } from '../../errors.js';
import {
  type AdminService,
  type Approval,
  type KeyService,
  MAX_APPROVAL_DATA_BYTES,
} from '../../protocol/quorum.js';
import { normalizeUsername } from '../../protocol/types.js';
import {
  decodeBase64Strict,
  parseTokenSignPublicKey,
  verifyTokenSignature,
} from '../../tokens/token-sign.js';
import type { OpContext } from '../op-context.js';
import { requireLogin } from '../rules.js';
import type { KeyRecord } from '../keys/record.js';
import { formatRef } from '../keys/record.js';
import type { UserRecord } from '../store/store.js';
import { isApprover, isKeyApprover } from './approvers.js';
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
  requireLogin(ctx.session);
  const required = quorumValue(ctx.store, service);
  if (required <= 1) return NO_QUORUM;
  if (!approval) throw new HsmError('ERR_QUORUM_REQUIRED');
  return checkApproval(ctx, {
    service,
    required,
    approval,
    keyRef: undefined,
    approver: (user) => approverProblem(isApprover(user, service), user, `service ${service}`, 'admin'),
  });
}

/**
 * The key-level check (spec §13): `key-management` for share, unshare, set-attribute, wrap and unwrap;
 * `key-usage` for sign. M is the key's own value (manage / use); 0 or 1 means none. The token must
 * have been generated for this very key (its reference) and service by this login; approvers are
 * the key's associated users (owner and shared crypto users) with a registered quorum key.
 * Without an approval: `Quorum Failed`. Call it after the operation's other checks, and
 * `grant.commit()` once the operation succeeded (inside its transaction when it writes).
 *
 * keys-mech's wrap/unwrap ops: `requireKeyQuorumApproval(ctx, payloadKey, 'key-management', args.payloadApproval)`
 * and the same for the wrapping key with `args.wrappingApproval`; unwrap checks the unwrapping key with
 * `args.approval`; commit each grant when the operation succeeded.
 */
export function requireKeyQuorumApproval(
  ctx: OpContext,
  key: KeyRecord,
  service: KeyService,
  approval: Approval | undefined,
): QuorumGrant {
  requireLogin(ctx.session);
  const required = service === 'key-management' ? key.manageQuorum : key.useQuorum;
  if (required <= 1) return NO_QUORUM;
  if (!approval) throw new HsmError('ERR_KEY_QUORUM_FAILED');
  return checkApproval(ctx, {
    service,
    required,
    approval,
    keyRef: key.ref,
    approver: (user) =>
      approverProblem(isKeyApprover(user, key), user, `key ${formatRef(key.ref)}`, 'crypto-user', key),
  });
}

/** Why `user` cannot approve (undefined when they can). */
function approverProblem(
  ok: boolean,
  user: UserRecord,
  what: string,
  role: 'admin' | 'crypto-user',
  key?: KeyRecord,
): string | undefined {
  if (ok) return undefined;
  if (user.role !== role) return `${user.role === 'admin' ? 'an' : 'a'} ${user.role} cannot approve ${what}`;
  if (key && key.owner !== user.username && !key.shared.includes(user.username))
    return `not an owner or shared user of ${what}`;
  if (user.locked) return 'the user is locked';
  return 'no quorum key registered';
}

interface ApprovalCheck {
  service: AdminService | KeyService;
  required: number;
  approval: Approval;
  /** The key a key-service token must have been generated for. */
  keyRef: number | undefined;
  approver: (user: UserRecord) => string | undefined;
}

function checkApproval(ctx: OpContext, check: ApprovalCheck): QuorumGrant {
  const requester = requireLogin(ctx.session);
  const { service, required, approval } = check;
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
  if (check.keyRef !== undefined && issued.keyRef !== check.keyRef) {
    throw new HsmError('ERR_QUORUM_WRONG_KEY', {
      actual: issued.keyRef === undefined ? 'no key' : formatRef(issued.keyRef),
      ref: formatRef(check.keyRef),
    });
  }
  if (state === 'expired') {
    const timeouts = tokenTimeouts(ctx.store);
    const kind = issued.approvedAt === undefined ? 'generated' : 'approved';
    tokens.remove(issued);
    throw new HsmError('ERR_QUORUM_TOKEN_EXPIRED', { timeout: kind, seconds: timeouts[kind] });
  }

  const { count, ignored } = countApprovals(ctx, check.approver, requester.username, token, approval);
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
  approver: ApprovalCheck['approver'],
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
    const why = rejectReason(ctx, approver, requester, selfApproval, username, token, entry.signature);
    if (why) ignored.push(`${username}: ${why}`);
    else counted.add(username);
  }
  return { count: counted.size, ignored: [...new Set(ignored)].slice(0, 16) };
}

function rejectReason(
  ctx: OpContext,
  approver: ApprovalCheck['approver'],
  requester: string,
  selfApproval: boolean,
  username: string,
  token: Buffer,
  signatureText: string,
): string | undefined {
  if (username === requester && !selfApproval) return 'self-approval is disabled';
  const user = ctx.store.getUser(username);
  if (!user) return 'no such user';
  const problem = approver(user);
  if (problem) return problem;
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
