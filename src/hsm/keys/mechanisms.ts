// Which key types and mechanisms this HSM offers (spec §1): Ed25519 on hsm2m.medium in non-FIPS mode only,
// ML-DSA on hsm2m.medium (in either mode: FIPS from 2026-09-01 per the ML-DSA pages).
import { HsmError } from '../../errors.js';
import { readSetting, type SettingsStore } from '../settings.js';

export type GatedFeature = 'ed25519' | 'ed25519ph' | 'ml-dsa';

export function featureAvailable(store: SettingsStore, feature: GatedFeature): boolean {
  if (readSetting(store, 'hsm_type') !== 'hsm2m.medium') return false;
  return feature === 'ml-dsa' || readSetting(store, 'hsm_mode') === 'non-fips';
}

export function requireFeature(store: SettingsStore, feature: GatedFeature): void {
  if (featureAvailable(store, feature)) return;
  const type = readSetting(store, 'hsm_type');
  // hsm1.medium is FIPS whatever an old state's row says.
  const mode = type === 'hsm2m.medium' && readSetting(store, 'hsm_mode') === 'non-fips' ? 'non-FIPS' : 'FIPS';
  throw new HsmError('ERR_MECHANISM_UNSUPPORTED', {
    detail:
      feature === 'ml-dsa'
        ? `ML-DSA exists on hsm2m.medium HSMs only; this cluster's HSMs are ${type}`
        : `${feature} exists on hsm2m.medium HSMs in non-FIPS mode only; this cluster is ${type} in ${mode} mode (create one with localhsm up --hsm-type hsm2m.medium --mode non-fips)`,
  });
}
