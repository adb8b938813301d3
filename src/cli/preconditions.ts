// What a command can tell will fail before it asks for a password: the login this client holds on the
// cluster, the role it logged in with, and whether the `user` service needs an approval not given.
import type { ClusterClient } from '../cluster/cluster.js';
import { HsmError } from '../errors.js';
import { OPERATIONS, type OperationName } from '../protocol/operations.js';
import type { Approval } from '../protocol/quorum.js';
import { APPLIANCE_USER, isLoginRole, isValidUsername, normalizeUsername } from '../protocol/types.js';
import type { CliIo } from './context.js';

type Login = { username: string; role: string };

/**
 * The login every HSM connection of the cluster holds (null: none holds one), or undefined when they
 * differ (a partial login or a restarted HSM): then the nodes' own answers say what is wrong.
 */
export function clusterLogin(cluster: ClusterClient): Login | null | undefined {
  const logins = cluster.connections.map((c) => c.loggedInAs);
  const first = logins[0];
  // A connection that closed while logged in (its HSM restarted): the node's answer carries the hint.
  if (logins.every((l) => l === undefined))
    return cluster.connections.some((c) => c.forgotLogin) ? undefined : null;
  const same = logins.every((l) => l && first && l.username === first.username && l.role === first.role);
  return same ? first : undefined;
}

export interface Precondition {
  /** The wire operation the command sends first; its descriptor's `access` is checked. */
  op: OperationName;
  /** The user the command acts on (`self-or-admin` operations, and whether a quorum applies). */
  target?: { username: string; role: string };
  /** 'always': the `user` service quorum applies; 'other-user': only when the target is not the caller. */
  userQuorum?: 'always' | 'other-user';
  approval?: Approval | undefined;
  /** The target must exist with that role: anyone may list users, so saying so before a prompt reveals nothing. */
  targetMustExist?: boolean;
}

/**
 * Throws, with the node's own error, what the nodes would certainly answer; the node still checks
 * everything. Checked in the node's order: login state, role, then (arguments valid) the quorum.
 */
export async function checkBeforeSecrets(
  cluster: ClusterClient,
  io: CliIo,
  pre: Precondition,
): Promise<void> {
  const login = clusterLogin(cluster);
  if (login === undefined) return;
  const access = OPERATIONS[pre.op].access;
  if (access.level === 'anyone') return;
  if (access.level === 'logged-out') {
    if (login) throw new HsmError('ERR_ALREADY_LOGGED_IN', { username: login.username });
    return;
  }
  if (!login) throw new HsmError('ERR_NOT_LOGGED_IN');
  if (access.level === 'login') return;
  const target = pre.target;
  const valid = target !== undefined && isValidUsername(target.username) && isLoginRole(target.role);
  const self = valid && normalizeUsername(target.username) === login.username;
  if (access.level === 'admin' && login.role !== 'admin')
    throw new HsmError('ERR_PERMISSION_DENIED', { role: login.role, action: access.action });
  if (access.level === 'crypto-user' && login.role !== 'crypto-user')
    throw new HsmError('ERR_PERMISSION_DENIED', { role: login.role, action: access.action });
  if (access.level === 'self-or-admin') {
    if (!valid) return;
    if (!self && login.role !== 'admin')
      throw new HsmError('ERR_PERMISSION_DENIED', { role: login.role, action: access.action });
  }
  if (!valid || pre.approval) return;
  if (pre.userQuorum && !(pre.userQuorum === 'other-user' && self)) await requireNoUserQuorum(cluster, io);
  if (pre.targetMustExist) await requireTarget(cluster, target);
}

/** The node's answer when every HSM that answers lacks the target user, or holds it with another role. */
async function requireTarget(cluster: ClusterClient, target: Login): Promise<void> {
  const username = normalizeUsername(target.username);
  const lists = (await cluster.fanOut('user-list', {})).filter((l) => l.ok);
  const found = lists.map((l) => l.value.users.find((u) => u.username === username));
  if (lists.length === 0 || username === APPLIANCE_USER) return;
  if (found.every((u) => u === undefined)) throw new HsmError('ERR_USER_NOT_FOUND', { username });
  if (found.every((u) => u !== undefined && u.role !== target.role))
    throw new HsmError('ERR_ROLE_MISMATCH', { username, role: target.role });
}

/** Throws when the `user` service needs approvals on every HSM, saying how to get them. */
async function requireNoUserQuorum(cluster: ClusterClient, io: CliIo): Promise<void> {
  const values = await cluster.fanOut('quorum-list-values', {});
  const required = values.map((v) => (v.ok ? v.value.user : undefined));
  if (required.some((m) => m === undefined || m <= 1)) return;
  io.warn(
    `note: the user service needs ${required[0]} approvals: run quorum token-sign generate --service user --token FILE, ` +
      `have the approvers sign it (localhsm quorum approve), then pass it with --approval FILE`,
  );
  throw new HsmError('ERR_QUORUM_REQUIRED');
}
