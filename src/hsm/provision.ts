// Provisioning: what a brand-new HSM holds, like a new CloudHSM cluster (unactivated admin and app_user).
import {
  APPLIANCE_USER,
  DEFAULT_HSM_MODE,
  DEFAULT_HSM_TYPE,
  type HsmMode,
  type HsmType,
  INITIAL_ADMIN,
  MAX_USERS_BY_TYPE,
} from '../protocol/types.js';
import type { KdfProfile } from './password.js';
import { isSettingStored, writeSettings } from './settings.js';
import type { Store, UserRecord } from './store/store.js';

export interface HsmIdentity {
  hsmId: string;
  clusterId: string;
  serialNumber: string;
  kdf: KdfProfile;
  /** hsm2m.medium when not given. */
  hsmType?: HsmType;
  /** fips when not given. */
  mode?: HsmMode;
}

const newUser = (username: string, role: UserRecord['role']): UserRecord => ({
  username,
  role,
  passwordHash: null,
  failedLogins: 0,
  locked: false,
  mfaPublicKey: null,
  quorumPublicKey: null,
});

export function isProvisioned(store: Store): boolean {
  return isSettingStored(store, 'hsm_id');
}

export function provisionHsm(store: Store, identity: HsmIdentity): void {
  store.transaction(() => {
    if (isProvisioned(store)) throw new Error('this HSM state is already provisioned');
    writeSettings(store, {
      hsm_id: identity.hsmId,
      cluster_id: identity.clusterId,
      serial_number: identity.serialNumber,
      kdf: identity.kdf,
      hsm_type: identity.hsmType ?? DEFAULT_HSM_TYPE,
      hsm_mode: identity.mode ?? DEFAULT_HSM_MODE,
      max_users: MAX_USERS_BY_TYPE[identity.hsmType ?? DEFAULT_HSM_TYPE],
    });
    store.insertUser(newUser(INITIAL_ADMIN, 'unactivated-admin'));
    store.insertUser(newUser(APPLIANCE_USER, 'internal(APPLIANCE_USER)'));
  });
}

export { newUser };
