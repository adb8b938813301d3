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
import { userReplicateChallenge } from './user-replicate-challenge.js';
import { userReplicateExport } from './user-replicate-export.js';
import { userReplicateImport } from './user-replicate-import.js';
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
import { keyGenerate } from './key-generate.js';
import { keyImport } from './key-import.js';
import { keyInsert } from './key-insert.js';
import { keyList } from './key-list.js';
import { keyDelete } from './key-delete.js';
import { keyShare } from './key-share.js';
import { keyUnshare } from './key-unshare.js';
import { keySetAttribute } from './key-set-attribute.js';
import { keyExport } from './key-export.js';
import { keyReplicateChallenge } from './key-replicate-challenge.js';
import { keyReplicateExport } from './key-replicate-export.js';
import { keyReplicateImport } from './key-replicate-import.js';
import { keyWrap } from './key-wrap.js';
import { keyUnwrap } from './key-unwrap.js';
import { cryptoSign } from './crypto-sign.js';
import { cryptoVerify } from './crypto-verify.js';
import { keySyncList } from './key-sync-list.js';
import { keySyncCopy } from './key-sync-copy.js';
import { keySyncApply } from './key-sync-apply.js';
import { mtlsRegisterTrustAnchor } from './mtls-register-trust-anchor.js';
import { mtlsDeregisterTrustAnchor } from './mtls-deregister-trust-anchor.js';
import { mtlsListTrustAnchors } from './mtls-list-trust-anchors.js';
import { mtlsSetEnforcement } from './mtls-set-enforcement.js';
import { mtlsGetEnforcement } from './mtls-get-enforcement.js';
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
  'user-replicate-challenge': userReplicateChallenge,
  'user-replicate-export': userReplicateExport,
  'user-replicate-import': userReplicateImport,
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
  'key-generate': keyGenerate,
  'key-import': keyImport,
  'key-insert': keyInsert,
  'key-list': keyList,
  'key-delete': keyDelete,
  'key-share': keyShare,
  'key-unshare': keyUnshare,
  'key-set-attribute': keySetAttribute,
  'key-export': keyExport,
  'key-replicate-challenge': keyReplicateChallenge,
  'key-replicate-export': keyReplicateExport,
  'key-replicate-import': keyReplicateImport,
  'key-wrap': keyWrap,
  'key-unwrap': keyUnwrap,
  'crypto-sign': cryptoSign,
  'crypto-verify': cryptoVerify,
  'key-sync-list': keySyncList,
  'key-sync-copy': keySyncCopy,
  'key-sync-apply': keySyncApply,
  'mtls-register-trust-anchor': mtlsRegisterTrustAnchor,
  'mtls-deregister-trust-anchor': mtlsDeregisterTrustAnchor,
  'mtls-list-trust-anchors': mtlsListTrustAnchors,
  'mtls-set-enforcement': mtlsSetEnforcement,
  'mtls-get-enforcement': mtlsGetEnforcement,
  'quorum-list-operator': quorumListOperator,
};
