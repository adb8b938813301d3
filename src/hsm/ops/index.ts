// The typed map from wire operation name to its handler (no reflection: every operation is listed here).
import type { OpArgs, OpResult, OperationName } from '../../protocol/operations.js';
import type { OpContext } from '../op-context.js';
import { clusterActivate } from './cluster-activate.js';
import { hsmInfo } from './hsm-info.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { userChangePassword } from './user-change-password.js';
import { userCreate } from './user-create.js';
import { userDelete } from './user-delete.js';
import { userList } from './user-list.js';
import { loginMfaStart } from './login-mfa-start.js';
import { loginMfaFinish } from './login-mfa-finish.js';
import { changeMfaStart } from './change-mfa-start.js';
import { changeMfaFinish } from './change-mfa-finish.js';
import { changeMfaDeregister } from './change-mfa-deregister.js';
import { devClockGet } from './dev-clock-get.js';
import { devClockSet } from './dev-clock-set.js';
import { quorumGenerate } from './quorum-generate.js';
import { quorumRegisterStart } from './quorum-register-start.js';
import { quorumRegisterFinish } from './quorum-register-finish.js';
import { quorumList } from './quorum-list.js';
import { quorumListValues } from './quorum-list-values.js';
import { quorumSetValue } from './quorum-set-value.js';
import { quorumListTimeouts } from './quorum-list-timeouts.js';
import { quorumSetTimeout } from './quorum-set-timeout.js';
import { quorumDelete } from './quorum-delete.js';
import { quorumGetPolicy } from './quorum-get-policy.js';
import { quorumSetPolicy } from './quorum-set-policy.js';
import { quorumListOperator } from './quorum-list-operator.js';

type Handler<O extends OperationName> = (
  ctx: OpContext,
  args: OpArgs<O>,
) => OpResult<O> | Promise<OpResult<O>>;

export const OPERATION_HANDLERS: { [O in OperationName]: Handler<O> } = {
  'hsm-info': hsmInfo,
  'cluster-activate': clusterActivate,
  'user-list': userList,
  login,
  logout,
  'user-create': userCreate,
  'user-delete': userDelete,
  'user-change-password': userChangePassword,
  'login-mfa-start': loginMfaStart,
  'login-mfa-finish': loginMfaFinish,
  'change-mfa-start': changeMfaStart,
  'change-mfa-finish': changeMfaFinish,
  'change-mfa-deregister': changeMfaDeregister,
  'dev-clock-get': devClockGet,
  'dev-clock-set': devClockSet,
  'quorum-generate': quorumGenerate,
  'quorum-register-start': quorumRegisterStart,
  'quorum-register-finish': quorumRegisterFinish,
  'quorum-list': quorumList,
  'quorum-list-values': quorumListValues,
  'quorum-set-value': quorumSetValue,
  'quorum-list-timeouts': quorumListTimeouts,
  'quorum-set-timeout': quorumSetTimeout,
  'quorum-delete': quorumDelete,
  'quorum-get-policy': quorumGetPolicy,
  'quorum-set-policy': quorumSetPolicy,
  'quorum-list-operator': quorumListOperator,
};
