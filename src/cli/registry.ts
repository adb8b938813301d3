// Every cloudhsm-cli command, and the about text of each command group.
import type { CommandTree } from '../command/tree.js';
import type { CliCommand, CliContext } from './context.js';
import { clusterActivateCommand } from './commands/cluster/activate.js';
import { clusterHsmInfoCommand } from './commands/cluster/hsm-info.js';
import { clusterMtlsDeregisterTrustAnchorCommand } from './commands/cluster/mtls/deregister-trust-anchor.js';
import { clusterMtlsGetEnforcementCommand } from './commands/cluster/mtls/get-enforcement.js';
import { clusterMtlsListTrustAnchorsCommand } from './commands/cluster/mtls/list-trust-anchors.js';
import { clusterMtlsRegisterTrustAnchorCommand } from './commands/cluster/mtls/register-trust-anchor.js';
import { clusterMtlsSetEnforcementCommand } from './commands/cluster/mtls/set-enforcement.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { userChangePasswordCommand } from './commands/user/change-password.js';
import { userCreateCommand } from './commands/user/create.js';
import { userDeleteCommand } from './commands/user/delete.js';
import { userListCommand } from './commands/user/list.js';
import { userReplicateCommand } from './commands/user/replicate.js';
import { loginMfaTokenSignCommand } from './commands/login/mfa-token-sign.js';
import { userChangeMfaTokenSignCommand } from './commands/user/change-mfa/token-sign.js';
import { quorumTokenDeleteCommand } from './commands/quorum/token-sign/delete.js';
import { quorumTokenGenerateCommand } from './commands/quorum/token-sign/generate.js';
import { quorumTokenListPolicyCommand } from './commands/quorum/token-sign/list-policy.js';
import { quorumTokenListQuorumValuesCommand } from './commands/quorum/token-sign/list-quorum-values.js';
import { quorumTokenListTimeoutsCommand } from './commands/quorum/token-sign/list-timeouts.js';
import { quorumTokenListCommand } from './commands/quorum/token-sign/list.js';
import { quorumTokenSetPolicyCommand } from './commands/quorum/token-sign/set-policy.js';
import { quorumTokenSetQuorumValueCommand } from './commands/quorum/token-sign/set-quorum-value.js';
import { quorumTokenSetTimeoutCommand } from './commands/quorum/token-sign/set-timeout.js';
import { userChangeQuorumTokenSignRegisterCommand } from './commands/user/change-quorum/token-sign/register.js';
import { keyListCommand } from './commands/key/list.js';
import { keyDeleteCommand } from './commands/key/delete.js';
import { keyShareCommand } from './commands/key/share.js';
import { keyUnshareCommand } from './commands/key/unshare.js';
import { keySetAttributeCommand } from './commands/key/set-attribute.js';
import { keyReplicateCommand } from './commands/key/replicate.js';
import { keyGenerateFileCommand } from './commands/key/generate-file.js';
import { keyGenerateRsaCommand } from './commands/key/generate-asymmetric-pair/rsa.js';
import { keyGenerateEcCommand } from './commands/key/generate-asymmetric-pair/ec.js';
import { keyGenerateAesCommand } from './commands/key/generate-symmetric/aes.js';
import { keyGenerateGenericSecretCommand } from './commands/key/generate-symmetric/generic-secret.js';
import { keyImportPemCommand } from './commands/key/import/pem.js';
import { keyWrapAesGcmCommand } from './commands/key/wrap/aes-gcm.js';
import { keyWrapAesNoPadCommand } from './commands/key/wrap/aes-no-pad.js';
import { keyWrapAesPkcs5PadCommand } from './commands/key/wrap/aes-pkcs5-pad.js';
import { keyWrapAesZeroPadCommand } from './commands/key/wrap/aes-zero-pad.js';
import { keyWrapCloudhsmAesGcmCommand } from './commands/key/wrap/cloudhsm-aes-gcm.js';
import { keyWrapRsaAesCommand } from './commands/key/wrap/rsa-aes.js';
import { keyWrapRsaOaepCommand } from './commands/key/wrap/rsa-oaep.js';
import { keyWrapRsaPkcsCommand } from './commands/key/wrap/rsa-pkcs.js';
import { keyUnwrapAesGcmCommand } from './commands/key/unwrap/aes-gcm.js';
import { keyUnwrapAesNoPadCommand } from './commands/key/unwrap/aes-no-pad.js';
import { keyUnwrapAesPkcs5PadCommand } from './commands/key/unwrap/aes-pkcs5-pad.js';
import { keyUnwrapAesZeroPadCommand } from './commands/key/unwrap/aes-zero-pad.js';
import { keyUnwrapCloudhsmAesGcmCommand } from './commands/key/unwrap/cloudhsm-aes-gcm.js';
import { keyUnwrapRsaAesCommand } from './commands/key/unwrap/rsa-aes.js';
import { keyUnwrapRsaOaepCommand } from './commands/key/unwrap/rsa-oaep.js';
import { keyUnwrapRsaPkcsCommand } from './commands/key/unwrap/rsa-pkcs.js';
import { cryptoSignRsaPkcsCommand } from './commands/crypto/sign/rsa-pkcs.js';
import { cryptoSignRsaPkcsPssCommand } from './commands/crypto/sign/rsa-pkcs-pss.js';
import { cryptoSignEcdsaCommand } from './commands/crypto/sign/ecdsa.js';
import { cryptoVerifyRsaPkcsCommand } from './commands/crypto/verify/rsa-pkcs.js';
import { cryptoVerifyRsaPkcsPssCommand } from './commands/crypto/verify/rsa-pkcs-pss.js';
import { cryptoVerifyEcdsaCommand } from './commands/crypto/verify/ecdsa.js';

/** Printed by `-V, --version`; the package version (a test keeps them equal). */
export const CLI_VERSION = '0.1.0';

export const COMMANDS: readonly CliCommand[] = [
  clusterActivateCommand,
  clusterHsmInfoCommand,
  clusterMtlsRegisterTrustAnchorCommand,
  clusterMtlsDeregisterTrustAnchorCommand,
  clusterMtlsListTrustAnchorsCommand,
  clusterMtlsSetEnforcementCommand,
  clusterMtlsGetEnforcementCommand,
  loginCommand,
  logoutCommand,
  userChangePasswordCommand,
  userCreateCommand,
  userDeleteCommand,
  userListCommand,
  userReplicateCommand,
  loginMfaTokenSignCommand,
  userChangeMfaTokenSignCommand,
  quorumTokenGenerateCommand,
  quorumTokenListCommand,
  quorumTokenListQuorumValuesCommand,
  quorumTokenSetQuorumValueCommand,
  quorumTokenListTimeoutsCommand,
  quorumTokenSetTimeoutCommand,
  quorumTokenDeleteCommand,
  quorumTokenListPolicyCommand,
  quorumTokenSetPolicyCommand,
  userChangeQuorumTokenSignRegisterCommand,
  keyListCommand,
  keyDeleteCommand,
  keyShareCommand,
  keyUnshareCommand,
  keySetAttributeCommand,
  keyReplicateCommand,
  keyGenerateFileCommand,
  keyGenerateRsaCommand,
  keyGenerateEcCommand,
  keyGenerateAesCommand,
  keyGenerateGenericSecretCommand,
  keyImportPemCommand,
  keyWrapAesGcmCommand,
  keyWrapAesNoPadCommand,
  keyWrapAesPkcs5PadCommand,
  keyWrapAesZeroPadCommand,
  keyWrapCloudhsmAesGcmCommand,
  keyWrapRsaAesCommand,
  keyWrapRsaOaepCommand,
  keyWrapRsaPkcsCommand,
  keyUnwrapAesGcmCommand,
  keyUnwrapAesNoPadCommand,
  keyUnwrapAesPkcs5PadCommand,
  keyUnwrapAesZeroPadCommand,
  keyUnwrapCloudhsmAesGcmCommand,
  keyUnwrapRsaAesCommand,
  keyUnwrapRsaOaepCommand,
  keyUnwrapRsaPkcsCommand,
  cryptoSignRsaPkcsCommand,
  cryptoSignRsaPkcsPssCommand,
  cryptoSignEcdsaCommand,
  cryptoVerifyRsaPkcsCommand,
  cryptoVerifyRsaPkcsPssCommand,
  cryptoVerifyEcdsaCommand,
];

export const GROUPS: Readonly<Record<string, string>> = {
  cluster: 'Cluster related commands',
  'cluster mtls': 'Mtls related commands',
  user: 'User management',
  'user change-mfa': "Change a user's Mfa Strategy",
  quorum: 'Quorum authentication (M of N) commands',
  'quorum token-sign': 'Quorum commands using the token-sign strategy',
  'user change-quorum': "Change a user's quorum authentication",
  'user change-quorum token-sign': "Change a user's quorum authentication using the token-sign strategy",
  key: 'Key management commands',
  'key generate-asymmetric-pair': 'Generate an asymmetric key pair',
  'key generate-symmetric': 'Generate a symmetric key',
  'key import': 'Import a key',
  'key wrap': 'Wrap a key using a specified mechanism',
  'key unwrap': 'Unwrap a key using a specified mechanism',
  crypto: 'Cryptographic operations',
  'crypto sign': 'Sign with a private key',
  'crypto verify': 'Verify with a public key',
};

export function cliTree(name: string): CommandTree<CliContext, unknown> {
  return {
    name,
    about: 'CloudHSM CLI (LocalHSM emulation)',
    commands: COMMANDS,
    groups: GROUPS,
    version: CLI_VERSION,
    // Run by main before the tree; the shell itself (name '') does not list it.
    extra: name ? [{ name: 'interactive', about: 'Start an interactive session' }] : [],
  };
}
